// Shapes of the REST API v1 answers (see the backend serializers); only what the UI reads.

export type Role = "employee" | "approver" | "finance" | "admin";

export interface Me {
  id: number;
  username: string;
  display_name: string;
  roles: Role[];
  scanning_available: boolean;
  // The language the server speaks to this user ("zh-hans", "en"; "" follows the UI).
  language?: string;
}

export interface NamedToken {
  id: number;
  name: string;
  created_at: string;
  expiry: string;
  token?: string; // only in the answer that created it
}

export type DocumentStatus =
  | "received"
  | "scanning"
  | "clean"
  | "infected"
  | "rejected"
  | "processing"
  | "extracted"
  | "needs_review"
  | "failed"
  | "split";

export interface ExtractionWarning {
  code: string;
  message: string;
  field: string | null;
}

export type Box = [number, number, number, number];

// A field's place on a page: box = [x0, y0, x1, y1] as fractions (0..1) of the page.
export interface FieldRegion {
  page: number;
  box: Box;
}

export interface LineItem {
  name?: string | null;
  quantity?: string | null;
  unit_price?: string | null;
  amount?: string | null;
  tax_rate?: string | null;
  tax_amount?: string | null;
}

export type FieldValue = string | number | null | LineItem[];

// Where a field's value came from, and what that makes it worth (the server decides both).
export type FieldSource =
  | "qr"
  | "xml"
  | "ofd"
  | "pdf_text"
  | "ocr"
  | "vlm"
  | "remote"
  | "employee";
export type FieldStatus = "verified" | "read" | "edited";

export interface Extraction {
  document_type: string;
  fields: Record<string, FieldValue>;
  // Optional: servers before provenance send neither.
  sources?: Record<string, FieldSource>;
  status?: Record<string, FieldStatus>;
  confidence: Record<string, number>;
  warnings: ExtractionWarning[];
  engine: string;
  // Optional: where on the page each OCR-read field was read, as fractions of the page.
  regions?: Record<string, FieldRegion>;
  [extra: string]: unknown;
}

export interface ScanInfo {
  verdict: string;
  signature: string | null;
  scanner_version: string;
  scanned_at: string;
}

export interface DocumentPart {
  id: number;
  url: string;
  part_index: number;
  region: [number, number, number, number];
  status: DocumentStatus;
}

export interface InvoiceDocument {
  id: number;
  url: string;
  status: DocumentStatus;
  original_filename: string;
  mime_type: string;
  size: number;
  page_count: number;
  sha256: string;
  claim: number | null;
  created_at: string;
  updated_at: string;
  status_changed_at: string | null;
  error: string | null;
  scan: ScanInfo | null;
  extraction: Extraction | null;
  duplicate_of: number | null;
  // Another file (photo, PDF, OFD, XML) of the same invoice from the same employee.
  same_invoice_as: number | null;
  // The upload this document came out of, when one upload made several documents.
  batch: number | null;
  // A photo of several documents side by side: each part is a document of its own,
  // linked to the photo (parent), numbered in reading order, with where it lies in it.
  parent?: number | null;
  part_index?: number | null;
  region?: [number, number, number, number] | null;
  parts?: DocumentPart[];
  file_url: string | null;
  // Documents ahead of this one while it waits for a worker; null once reading started.
  queue_position?: number | null;
  // The status of its claim, whether the asking user may change its fields now, and what
  // the expense policy will refuse at submit (checked on the current values).
  claim_status?: ClaimStatus | null;
  can_edit?: boolean | null;
  policy?: { code: string; message: string }[];
  // Reviewer views add these.
  category?: string;
  category_chosen?: boolean;
  duplicate_reason?: string;
}

export type ClaimStatus =
  | "draft"
  | "submitted"
  | "manager_approved"
  | "finance_approved"
  | "exported"
  | "paid"
  | "returned"
  | "rejected";

export interface ClaimEvent {
  action: string;
  actor: string | null;
  created_at: string;
  comment: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Claim {
  id: number;
  title: string;
  status: ClaimStatus;
  currency: string;
  total: string;
  owner: string;
  owner_name?: string; // the owner's display name (full name, else username)
  documents: number[];
  events: ClaimEvent[];
  created_at: string;
  updated_at: string;
  // Review queue only.
  submitted_at?: string | null;
  manager_approved_at?: string | null;
  finance_approved_at?: string | null;
  documents_detail?: InvoiceDocument[];
  warnings_count?: number;
  // Each counted invoice in the claim's currency (rate, its date and source when foreign).
  conversions?: Conversion[];
}

export interface Conversion {
  document: number;
  amount: string | null;
  currency: string;
  claim_currency: string;
  rate: string | null;
  rate_date: string | null;
  rate_source: string | null;
  converted_amount: string | null;
  missing_rate: boolean;
}

export interface AppNotification {
  id: number;
  kind: string;
  status: string;
  title: string;
  body: string;
  route: string;
  claim: number | null;
  document: number | null;
  actor: string | null;
  created_at: string;
  read_at: string | null;
  unread: boolean;
}

export interface NotificationSummary {
  unread: number;
  review_pending: number;
  wechat_template_id: string | null;
}

export interface NotificationPreferences {
  email: boolean;
  wechat: boolean;
}

export interface ExchangeRate {
  id: number;
  from_currency: string;
  to_currency: string;
  rate: string;
  date: string;
  source: string;
  created_by: string | null;
  created_at: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface PolicyViolation {
  code: string;
  message: string;
  document: number | null;
}

export interface BulkApproveResult {
  approved: number[];
  failed: { id: number; code: string; message: string }[];
}

export interface ExportItem {
  id: string | number;
  claim: number;
  document: number;
  employee: string;
  category: string | null;
  issue_date: string | null;
  seller_name: string | null;
  total_amount: string | null;
  currency: string | null;
  approved_at: string | null;
  [extra: string]: unknown;
}

export interface ExportPage {
  items: ExportItem[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface Correction {
  field: string;
  old_value: unknown;
  // Where the replaced value came from ("" when unknown).
  old_source?: string;
  new_value: unknown;
  actor: string | null;
  actor_name?: string | null;
  // Warnings the reading had that this edit made go away (kept as evidence).
  old_warnings?: ExtractionWarning[];
  created_at: string;
}

export interface UploadBatch {
  id: number;
  kind: "archive" | "pdf";
  original_filename: string;
  document_count: number;
}

// What one upload became: one document, or a batch of them (a zip, a PDF of several invoices).
export interface UploadOutcome {
  batch: UploadBatch | null;
  documents: InvoiceDocument[];
}
