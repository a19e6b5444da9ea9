import type { InvoiceDocument, UploadBatch, UploadOutcome } from "./types";

// A single file answers the document; a zip, or a PDF holding several invoices, answers
// {batch, documents}. Both become one shape here.
export function uploadOutcome(body: unknown): UploadOutcome {
  const value = body as { batch?: UploadBatch | null; documents?: InvoiceDocument[] } | null;
  if (value && value.batch && Array.isArray(value.documents)) {
    return { batch: value.batch, documents: value.documents };
  }
  return { batch: null, documents: [body as InvoiceDocument] };
}

// "3 documents from this archive" / "3 invoices from this PDF, one document each".
export function batchLabelKey(batch: UploadBatch): string {
  return batch.kind === "pdf" ? "upload.fromPdf" : "upload.fromArchive";
}

// A photo found to show several documents: "3 documents found in this photo" and its
// parts' ids in reading order; null for any other document.
export function photoParts(doc: InvoiceDocument): { key: string; n: number; ids: number[] } | null {
  const parts = doc.status === "split" ? (doc.parts ?? []) : [];
  if (!parts.length) return null;
  const ids = [...parts].sort((a, b) => a.part_index - b.part_index).map((p) => p.id);
  return { key: "upload.partsFound", n: ids.length, ids };
}
