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
