// Whole API answers shaped like the generated types, for the pure-logic tests: each test
// overrides only what it is about.
import type { Claim, Extraction, InvoiceDocument } from "../src/lib/types";

export function makeExtraction(extra: Partial<Extraction> = {}): Extraction {
  return {
    document_type: "vat_electronic",
    fields: {},
    sources: {},
    agreeing: {},
    status: {},
    confidence: {},
    edits: {},
    regions: {},
    review_reasons: [],
    warnings: [],
    engine: "ocr",
    engine_version: "",
    model_version: "",
    prompt_version: "",
    from_cache: false,
    timings: {},
    created_at: "2026-12-06T10:00:00Z",
    ...extra,
  };
}

export function makeDocument(extra: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    id: 1, url: "", status: "extracted", original_filename: "a.jpg", mime_type: "image/jpeg",
    size: 1, page_count: 1, sha256: "", claim: null, created_at: "", updated_at: "",
    status_changed_at: null, scanned_at: null, processing_started_at: null, completed_at: null,
    error: null, scan: null, extraction: null, duplicate_of: null, same_invoice_as: null,
    batch: null, parent: null, part_index: null, region: null, parts: [], category: "",
    file_url: null, queue_position: null, claim_status: null, can_edit: null, policy: [],
    is_terminal: true, allowed_actions: [],
    ...extra,
  };
}

export function makeClaim(extra: Partial<Claim> = {}): Claim {
  return {
    id: 1, title: "t", status: "draft", currency: "CNY", total: "0.00", conversions: [],
    owner: "ann", owner_name: "Ann", documents: [], events: [],
    created_at: "2025-01-01T00:00:00Z", updated_at: "2025-01-01T00:00:00Z",
    is_terminal: false, allowed_actions: [],
    ...extra,
  };
}
