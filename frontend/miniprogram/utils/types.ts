/**
 * Shapes of the REST API (/api/v1/) as the mini-program reads them. The server's OpenAPI
 * schema is their source: api-schema.ts is generated from it (scripts/frontend_codegen.py,
 * `make frontend-codegen`; never edit it). Only where the schema says no more than "an
 * object" (JSON columns and nested dicts the serializers build) is the shape the server
 * sends written out here.
 */
import type { components } from './api-schema';

type Schemas = components['schemas'];
/** The schema's type with the named properties given the shape the server really sends. */
type Refined<T, R> = Omit<T, keyof R> & R;

export type DocumentStatus = Schemas['DocumentStatusEnum'];
export type ClaimStatus = Schemas['ClaimStatusEnum'];
/** Where a field's value came from, and what that makes it worth (the server decides both). */
export type FieldSource = Schemas['FieldSourceEnum'];
export type FieldStatus = Schemas['FieldStatusEnum'];
/** What the asking user may do now (allowed_actions; the server decides). */
export type ClaimAction = Schemas['ClaimActionEnum'];
export type DocumentAction = Schemas['DocumentActionEnum'];

export type User = Schemas['User'];
export type Me = Schemas['User'];
export type AuthResult = Schemas['TokenResponse'];
export type WeChatAuthResult = Schemas['WeChatTokenResponse'];

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

/** What a field was read as before a person changed it, who and when. */
export interface FieldEditDto {
  original: unknown;
  original_source: string | null;
  made_up: boolean;
  cleared: boolean;
  original_warnings?: ExtractionWarning[];
  edited_by: string | null;
  edited_at: string;
  edit_count: number;
}

export type Extraction = Refined<
  Schemas['ExtractionSchema'],
  { fields: InvoiceFields; warnings: ExtractionWarning[]; edits: Record<string, FieldEditDto> }
>;

export interface ScanInfo {
  verdict: 'clean' | 'infected' | 'error' | 'not_scanned' | 'too_large';
  signature: string | null;
  scanned_at: string;
}

/** [x0, y0, x1, y1]: where a part lies in the photo (upright, pixels). */
export type Region = [number, number, number, number];

export type DocumentPartDto = Refined<
  Schemas['DocumentPart'],
  { region: Region; status: DocumentStatus }
>;

export type DocumentDto = Refined<
  Schemas['Document'],
  {
    scan: ScanInfo | null;
    extraction: Extraction | null;
    region: Region | null;
    parts: DocumentPartDto[];
    claim_status: ClaimStatus | null;
    policy: Array<{ code: string; message: string }>;
  }
>;

export type UploadBatchDto = Schemas['UploadBatch'];

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

export type ClaimDto = Refined<
  Schemas['Claim'],
  { events: ClaimEvent[]; conversions: ConversionDto[] }
>;

/** One entry of the in-app inbox (text rendered by the server in the user's language). */
export type NotificationDto = Schemas['Notification'];
export type NotificationSummary = Schemas['Summary'];

export interface Paginated<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}
