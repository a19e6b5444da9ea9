/** Shapes of the REST API (/api/v1/) as the mini-program reads them. */

export type DocumentStatus =
  | 'received'
  | 'scanning'
  | 'clean'
  | 'processing'
  | 'extracted'
  | 'needs_review'
  | 'failed'
  | 'infected'
  | 'rejected'
  | 'split';

export type ClaimStatus =
  | 'draft'
  | 'submitted'
  | 'manager_approved'
  | 'finance_approved'
  | 'exported'
  | 'paid'
  | 'returned'
  | 'rejected';

export interface User {
  id: number;
  username: string;
  display_name: string;
  roles: string[];
}

export interface Me extends User {
  scanning_available: boolean;
  /** The language the server speaks to this user ('zh-hans', 'en'; '' follows the app). */
  language?: string;
}

export interface ExtractionWarning {
  code: string;
  message: string;
  field: string | null;
}

export interface LineItem {
  name: string | null;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
  tax_rate: string | null;
  tax_amount: string | null;
}

/** Scalar fields are strings (money as decimal strings, dates as YYYY-MM-DD) or null. */
export interface InvoiceFields {
  invoice_code?: string | null;
  invoice_number?: string | null;
  issue_date?: string | null;
  seller_name?: string | null;
  seller_tax_id?: string | null;
  buyer_name?: string | null;
  buyer_tax_id?: string | null;
  amount_excluding_tax?: string | null;
  tax_amount?: string | null;
  total_amount?: string | null;
  total_in_words?: string | null;
  check_code?: string | null;
  currency?: string | null;
  line_items?: LineItem[];
}

/** Where a field's value came from, and what that makes it worth (the server decides both). */
export type FieldSource = 'qr' | 'xml' | 'ofd' | 'pdf_text' | 'ocr' | 'vlm' | 'remote' | 'employee';
export type FieldStatus = 'verified' | 'read' | 'edited';

export interface Extraction {
  document_type: string;
  fields: InvoiceFields;
  /** Optional: servers before provenance send neither. */
  sources?: Record<string, FieldSource>;
  status?: Record<string, FieldStatus>;
  confidence: Record<string, number>;
  warnings: ExtractionWarning[];
  engine: string;
  /** Why a person must look: 'duplicate', 'warning:<code>', 'missing:<field>',
   * 'unverified:<field>' (empty: nothing holds it back). Optional: older servers. */
  review_reasons?: string[];
  /** Field -> what it was read as before a person changed it, who and when. */
  edits?: Record<string, unknown>;
}

export interface ScanInfo {
  verdict: 'clean' | 'infected' | 'error' | 'not_scanned' | 'too_large';
  signature: string | null;
  scanned_at: string;
}

export interface DocumentPartDto {
  id: number;
  url: string;
  /** 1-based, in reading order. */
  part_index: number;
  /** [x0, y0, x1, y1]: where it lies in the photo (upright, pixels). */
  region: [number, number, number, number];
  status: DocumentStatus;
}

export interface DocumentDto {
  id: number;
  status: DocumentStatus;
  original_filename: string;
  mime_type: string;
  size: number;
  page_count: number;
  claim: number | null;
  created_at: string;
  updated_at: string;
  error: string | null;
  scan: ScanInfo | null;
  extraction: Extraction | null;
  duplicate_of: number | null;
  /** Another file (photo, PDF, OFD, XML) of the same invoice from the same employee. */
  same_invoice_as?: number | null;
  /** The upload this document came out of, when one upload made several documents. */
  batch?: number | null;
  /** A photo of several documents: each part is a document of its own, linked to it. */
  parent?: number | null;
  part_index?: number | null;
  region?: [number, number, number, number] | null;
  parts?: DocumentPartDto[];
  file_url: string;
  /** Documents ahead of this one while it waits for a worker; null once reading started. */
  queue_position?: number | null;
  /** Its claim's status, whether this user may change its fields now, and what the
   * expense policy will refuse at submit (checked on the current values). */
  claim_status?: ClaimStatus | null;
  can_edit?: boolean | null;
  policy?: Array<{ code: string; message: string }>;
}

export interface UploadBatchDto {
  id: number;
  kind: 'archive' | 'pdf';
  original_filename: string;
  document_count: number;
}

/** What one upload became: one document, or a batch (a zip, a PDF of several invoices). */
export interface UploadOutcome {
  batch: UploadBatchDto | null;
  documents: DocumentDto[];
}

export interface ClaimEvent {
  action: string;
  actor: string | null;
  created_at: string;
  comment: string | null;
}

export interface ClaimDto {
  id: number;
  title: string;
  status: ClaimStatus;
  currency: string;
  total: string;
  documents: number[];
  events: ClaimEvent[];
  created_at: string;
  /** Each counted invoice in the claim's currency (rate, its date and source when foreign). */
  conversions?: ConversionDto[];
}

export interface ConversionDto {
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

/** One entry of the in-app inbox (text rendered by the server in the user's language). */
export interface NotificationDto {
  id: number;
  kind: string;
  title: string;
  body: string;
  miniprogram_page: string;
  created_at: string;
  unread: boolean;
}

export interface NotificationSummary {
  unread: number;
  review_pending: number;
  /** For wx.requestSubscribeMessage; null when the server sends no WeChat messages. */
  wechat_template_id: string | null;
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface AuthResult {
  token: string;
  /** ISO 8601; after it the token answers 401 and the user signs in again. */
  expiry?: string;
  user?: User;
}
