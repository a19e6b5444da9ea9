import { describe, expect, it } from "vitest";
import {
  canDecide,
  claimEditable,
  documentStep,
  documentTone,
  isTerminal,
  orderedFields,
  queueMessage,
  timeline,
} from "../src/lib/status";

describe("document status", () => {
  it("treats exactly the five pipeline end states as terminal", () => {
    // Given every status the backend can report
    const all = [
      "received", "scanning", "clean", "processing",
      "infected", "rejected", "extracted", "needs_review", "failed",
    ];
    // Then polling stops only on the five end states
    expect(all.filter(isTerminal)).toEqual([
      "infected", "rejected", "extracted", "needs_review", "failed",
    ]);
  });

  it("maps statuses to the step shown to the employee", () => {
    expect(documentStep("received")).toBe(1);
    expect(documentStep("processing")).toBe(2);
    expect(documentStep("extracted")).toBe(3);
    expect(documentStep("infected")).toBe(3);
  });

  it("marks infected and failed documents as bad, needs_review as a warning", () => {
    expect(documentTone("infected")).toBe("bad");
    expect(documentTone("failed")).toBe("bad");
    expect(documentTone("needs_review")).toBe("warn");
    expect(documentTone("scanning")).toBe("busy");
  });
});

describe("claim status", () => {
  it("lets the owner edit only drafts and returned claims", () => {
    expect(claimEditable("draft")).toBe(true);
    expect(claimEditable("returned")).toBe(true);
    expect(claimEditable("submitted")).toBe(false);
  });

  it("offers the decision to the role that owns the current step", () => {
    expect(canDecide("submitted", ["approver"])).toBe(true);
    expect(canDecide("submitted", ["finance"])).toBe(false);
    expect(canDecide("manager_approved", ["finance"])).toBe(true);
    expect(canDecide("finance_approved", ["finance", "approver"])).toBe(false);
  });

  it("orders the timeline by time and reads the resulting status", () => {
    // Given events out of order
    const events = [
      { action: "claim.submitted", actor: "ann", created_at: "2025-01-02T10:00:00Z", comment: "",
        before: { status: "draft" }, after: { status: "submitted" } },
      { action: "claim.created", actor: "ann", created_at: "2025-01-01T09:00:00Z", comment: "",
        before: null, after: { title: "Trip" } },
    ];
    // When the timeline is built
    const entries = timeline(events);
    // Then it runs oldest first and carries the status change
    expect(entries.map((e) => e.action)).toEqual(["claim.created", "claim.submitted"]);
    expect(entries[1]?.status).toBe("submitted");
    expect(entries[0]?.status).toBeNull();
  });
});

describe("field order", () => {
  it("puts the total first, unknown fields last, and leaves out line items", () => {
    const names = orderedFields({ zeta: 1, line_items: [], seller_name: "A", total_amount: "1" });
    expect(names).toEqual(["total_amount", "seller_name", "zeta"]);
  });
});

describe("queue position", () => {
  it("says how many documents are ahead while waiting, and nothing once reading", () => {
    // Given the API's queue_position / Then the message to show (or none)
    expect(queueMessage(3)).toEqual({ key: "doc.queueAhead", n: 3 });
    expect(queueMessage(0)).toEqual({ key: "doc.queueNext", n: 0 });
    expect(queueMessage(null)).toBeNull();
    expect(queueMessage(undefined)).toBeNull();
  });
});
