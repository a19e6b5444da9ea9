import { describe, expect, it } from "vitest";
import type { InvoiceDocument } from "../src/lib/types";
import { batchLabelKey, uploadOutcome } from "../src/lib/upload";

const doc = (id: number) => ({ id, status: "received", batch: null }) as unknown as InvoiceDocument;

describe("upload answers", () => {
  it("reads a single file's answer as one document without a batch", () => {
    // Given the answer to one photo
    const outcome = uploadOutcome(doc(7));
    // Then it is that document alone
    expect(outcome.batch).toBeNull();
    expect(outcome.documents.map((d) => d.id)).toEqual([7]);
  });

  it("reads a batch answer as its batch and every document in it", () => {
    // Given the answer to a zip of three e-invoices
    const batch = { id: 3, kind: "archive", original_filename: "a.zip", document_count: 3 };
    const outcome = uploadOutcome({ batch, documents: [doc(1), doc(2), doc(3)] });
    // Then all three documents are listed under the batch
    expect(outcome.batch).toEqual(batch);
    expect(outcome.documents.map((d) => d.id)).toEqual([1, 2, 3]);
    expect(batchLabelKey(outcome.batch!)).toBe("upload.fromArchive");
  });

  it("says a PDF of several invoices was split, not unpacked", () => {
    const batch = { id: 4, kind: "pdf" as const, original_filename: "a.pdf", document_count: 2 };
    expect(batchLabelKey(batch)).toBe("upload.fromPdf");
  });
});
