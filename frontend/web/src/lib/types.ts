// Shapes of the REST API v1 answers. The server's OpenAPI schema is their source:
// api-schema.ts is generated from it (scripts/frontend_codegen.py, `make frontend-codegen`;
// never edit it). Only where the schema says no more than "an object" (JSON columns and
// nested dicts the serializers build) is the shape the server sends written out here.

import type { components } from "./api-schema";

type Schemas = components["schemas"];
// The schema's type with the named properties given the shape the server really sends.
type Refined<T, R> = Omit<T, keyof R> & R;

export type Role = "employee" | "approver" | "finance" | "admin";
export type DocumentStatus = Schemas["DocumentStatusEnum"];
export type ClaimStatus = Schemas["ClaimStatusEnum"];
// Where a field's value came from, and what that makes it worth (the server decides both).
export type FieldSource = Schemas["FieldSourceEnum"];
export type FieldStatus = Schemas["FieldStatusEnum"];
// What the asking user may do now (allowed_actions; the server decides).
export type ClaimAction = Schemas["ClaimActionEnum"];
export type DocumentAction = Schemas["DocumentActionEnum"];
// Which parts of the app the signed-in user may use (/me's allowed_actions).
export type UserAction = Schemas["UserActionEnum"];

export type Me = Refined<Schemas["User"], { roles: Role[] }>;
export type NamedToken = Schemas["NamedToken"];
// The answer that created a token: the only one that shows its key.
export type CreatedToken = Schemas["CreatedToken"];

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

export type Extraction = Refined<
  Schemas["ExtractionSchema"],
  {
    fields: Record<string, FieldValue>;
    warnings: ExtractionWarning[];
    regions: Record<string, FieldRegion>;
    edits: Record<string, Record<string, unknown>>;
  }
>;

export interface ScanInfo {
  verdict: string;
  signature: string | null;
  scanner_version: string;
  scanned_at: string;
}

export type DocumentPart = Refined<Schemas["DocumentPart"], { region: Box; status: DocumentStatus }>;

export interface PolicyProblem {
  code: string;
  message: string;
}

interface DocumentShapes {
  scan: ScanInfo | null;
  extraction: Extraction | null;
  // A photo of several documents side by side: where this part lies in it.
  region: Box | null;
  parts: DocumentPart[];
  claim_status: ClaimStatus | null;
  policy: PolicyProblem[];
}

export type InvoiceDocument = Refined<Schemas["Document"], DocumentShapes>;
// A document as reviewers see it (the review queue's documents_detail).
export type ReviewDocument = Refined<Schemas["ReviewDocument"], DocumentShapes>;

export interface ClaimEvent {
  action: string;
  actor: string | null;
  created_at: string;
  comment: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
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

interface ClaimShapes {
  events: ClaimEvent[];
  // Each counted invoice in the claim's currency (rate, its date and source when foreign).
  conversions: Conversion[];
}

export type Claim = Refined<Schemas["Claim"], ClaimShapes>;
// A claim in the review queue: dates of its steps, its documents, their warnings.
export type ReviewClaim = Refined<
  Schemas["ReviewClaim"],
  ClaimShapes & { documents_detail: ReviewDocument[] }
>;

export type AppNotification = Schemas["Notification"];
export type NotificationSummary = Schemas["Summary"];
export type NotificationPreferences = Schemas["Preference"];
export type ExchangeRate = Schemas["ExchangeRate"];

export interface Page<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

// A policy problem found at submit (the error's details.violations).
export interface PolicyViolation extends PolicyProblem {
  document: number | null;
}

export type BulkApproveResult = Schemas["BulkApproveResult"];
export type ExportItem = Schemas["ExportItem"];
export type ExportPage = Schemas["ExportPage"];
export type Correction = Refined<Schemas["FieldCorrection"], { old_warnings: ExtractionWarning[] }>;
export type UploadBatch = Schemas["UploadBatch"];

// What one upload became: one document, or a batch of them (a zip, a PDF of several invoices).
export interface UploadOutcome {
  batch: UploadBatch | null;
  documents: InvoiceDocument[];
}
