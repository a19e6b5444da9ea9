import { describe, expect, it } from "vitest";
import {
  documentStep,
  documentTone,
  orderedFields,
  queueMessage,
  returnNote,
  timeline,
} from "../src/lib/status";

describe("document status", () => {
  it("maps statuses to the step shown to the employee", () => {
    expect(documentStep("received", false)).toBe(1);
    expect(documentStep("processing", false)).toBe(2);
    expect(documentStep("extracted", true)).toBe(3);
    expect(documentStep("infected", true)).toBe(3);
  });

  it("puts a status it does not know where the server's is_terminal says", () => {
    // Given statuses a newer server sends, one finished and one not
    // Then the finished one shows at the last step, the other at none
    expect(documentStep("archived", true)).toBe(3);
    expect(documentStep("queued_for_ocr", false)).toBe(0);
  });

  it("marks infected and failed documents as bad, needs_review as a warning", () => {
    expect(documentTone("infected")).toBe("bad");
    expect(documentTone("failed")).toBe("bad");
    expect(documentTone("needs_review")).toBe("warn");
    expect(documentTone("scanning")).toBe("busy");
  });
});

describe("claim status", () => {
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

describe("return note", () => {
  const event = (action: string, created_at: string, comment: string) => ({
    action,
    actor: "Wang Fang",
    created_at,
    comment,
    before: null,
    after: null,
  });

  it("names the latest return's reason while the claim is returned", () => {
    // Given a claim returned twice, the second time with a new reason
    const events = [
      event("claim.returned", "2026-12-01T10:00:00Z", "Receipt missing"),
      event("claim.submitted", "2026-12-02T10:00:00Z", ""),
      event("claim.returned", "2026-12-03T10:00:00Z", "Date is wrong"),
    ];
    // When the note is computed / then it is the latest reason and who gave it
    expect(returnNote("returned", events)).toEqual({
      comment: "Date is wrong",
      actor: "Wang Fang",
      at: "2026-12-03T10:00:00Z",
    });
  });

  it("says nothing once the claim is submitted again", () => {
    // Given the same history but the claim is submitted now / then there is no note
    const events = [event("claim.returned", "2026-12-01T10:00:00Z", "Receipt missing")];
    expect(returnNote("submitted", events)).toBeNull();
  });
});
