import { describe, expect, it } from "vitest";
import type { InvoiceDocument } from "../src/lib/types";
import { batchLabelKey, photoParts, uploadOutcome } from "../src/lib/upload";

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

describe("a photo of several documents", () => {
  const part = (id: number, part_index: number) => ({
    id,
    url: `/api/v1/documents/${id}/`,
    part_index,
    region: [0, 0, 10, 10] as [number, number, number, number],
    status: "processing" as const,
  });

  it("says how many documents the photo showed and lists its parts in reading order", () => {
    // Given a photo the server split into three parts (listed out of order)
    const photo = {
      ...doc(9),
      status: "split",
      parts: [part(12, 3), part(10, 1), part(11, 2)],
    } as unknown as InvoiceDocument;
    // Then the label says three were found and the parts come in reading order
    expect(photoParts(photo)).toEqual({ key: "upload.partsFound", n: 3, ids: [10, 11, 12] });
  });

  it("says nothing for a single document or a photo still being read", () => {
    expect(photoParts(doc(7))).toBeNull();
    const reading = { ...doc(8), status: "processing", parts: [] } as unknown as InvoiceDocument;
    expect(photoParts(reading)).toBeNull();
  });
});
