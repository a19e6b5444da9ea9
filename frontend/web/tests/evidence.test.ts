import { describe, expect, it } from "vitest";
import {
  displayStatus,
  displayTone,
  editedFields,
  fieldEdit,
  policyNotes,
  scanTone,
} from "../src/lib/evidence";
import { spendFromDashboard } from "../src/lib/spend";
import { makeDocument, makeExtraction } from "./fixtures";

const doc = makeDocument;

const EDIT = {
  original: "2018-05-01", original_source: "ocr", made_up: false, cleared: false,
  original_warnings: [{ code: "date_too_old", message: "old", field: "issue_date" }],
  edited_by: "Emma Li", edited_by_username: "emma", edited_at: "2026-12-06T10:00:00Z",
  edit_count: 1,
};

describe("edits are evidence", () => {
  it("finds the edit of a changed field and lists the edited fields", () => {
    // Given a document whose date a person changed
    const d = doc({
      extraction: makeExtraction({ document_type: "vat_general", edits: { issue_date: EDIT } }),
    });
    // Then the edit is found for that field only
    expect(fieldEdit(d, "issue_date")?.original).toBe("2018-05-01");
    expect(fieldEdit(d, "total_amount")).toBeNull();
    expect(editedFields(d)).toEqual(["issue_date"]);
  });

  it("knows nothing of edits a server did not send", () => {
    expect(fieldEdit(doc(), "issue_date")).toBeNull();
    expect(editedFields(doc())).toEqual([]);
  });
});

describe("what the policy will refuse", () => {
  it("is never green", () => {
    // Given an extracted document the 180-day rule will refuse
    const refused = doc({ policy: [{ code: "invoice_too_old", message: "too old" }] });
    // Then its tone is a warning, and the notes are listed
    expect(displayTone(refused)).toBe("warn");
    expect(policyNotes(refused).map((p) => p.code)).toEqual(["invoice_too_old"]);
    expect(displayTone(doc())).toBe("ok");
  });
});

describe("locked claims", () => {
  it("say 'checked' instead of 'needs review' once finance approved the claim", () => {
    expect(displayStatus(doc({ status: "needs_review", claim_status: "finance_approved" }))).toBe("checked");
    expect(displayTone(doc({ status: "needs_review", claim_status: "paid" }))).toBe("ok");
    expect(displayStatus(doc({ status: "needs_review", claim_status: "submitted" }))).toBe("needs_review");
  });
});

describe("the scan step", () => {
  it("is green only for a clean verdict", () => {
    const scan = (verdict: string) => ({
      scan: { verdict, signature: null, scanner_version: "", scanned_at: "" },
    });
    expect(scanTone(scan("clean"))).toBe("ok");
    expect(scanTone(scan("not_scanned"))).toBe("warn");
    expect(scanTone(scan("infected"))).toBe("bad");
    expect(scanTone({ scan: null })).toBeNull();
  });
});

describe("the spend dashboard", () => {
  it("takes the server's total and lists the other currencies", () => {
    const spend = spendFromDashboard({
      currency: "CNY",
      total: "500.00",
      count: 3,
      currencies: [
        { currency: "CNY", total: "500.00", count: 3 },
        { currency: "MYR", total: "40.00", count: 1 },
      ],
      by_category: [{ category: "meals", total: "500.00", count: 3 }],
      by_month: [{ month: "2026-11", total: "500.00", count: 3 }],
    });
    expect(spend?.totalCents).toBe(50000);
    expect(spend?.count).toBe(3);
    expect(spend?.otherCurrencies).toEqual(["MYR"]);
  });
});
