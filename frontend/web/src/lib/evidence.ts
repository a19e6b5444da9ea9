// What a reviewer must not miss about a document: which fields a person changed (and what
// the document was read as), what the expense policy will refuse, whether its claim is
// locked, and whether it was really virus-scanned. The server decides all of it; these
// helpers only turn its answer into what the screens show.

import type { Tone } from "./status";
import { documentAllows } from "./actions";
import { documentTone } from "./status";
import type { ExtractionWarning, InvoiceDocument } from "./types";

export interface FieldEdit {
  original: unknown;
  original_source: string | null;
  made_up: boolean;
  cleared: boolean;
  original_warnings: ExtractionWarning[];
  edited_by: string | null;
  edited_by_username: string | null;
  edited_at: string;
  edit_count: number;
}

export interface PolicyNote {
  code: string;
  message: string;
}

// Claims past these states change no more (the server answers claim_locked).
export const LOCKED_CLAIM_STATUSES: ReadonlySet<string> = new Set([
  "finance_approved",
  "exported",
  "paid",
  "rejected",
]);
const APPROVED_CLAIM_STATUSES: ReadonlySet<string> = new Set([
  "finance_approved",
  "exported",
  "paid",
]);

export function fieldEdit(doc: InvoiceDocument | null | undefined, field: string): FieldEdit | null {
  const edits = doc?.extraction?.edits;
  if (typeof edits !== "object" || edits === null) return null;
  const edit = (edits as Record<string, unknown>)[field];
  return typeof edit === "object" && edit !== null ? (edit as FieldEdit) : null;
}

export function editedFields(doc: InvoiceDocument | null | undefined): string[] {
  const edits = doc?.extraction?.edits;
  return typeof edits === "object" && edits !== null ? Object.keys(edits) : [];
}

export function policyNotes(doc: InvoiceDocument | null | undefined): PolicyNote[] {
  return Array.isArray(doc?.policy) ? (doc.policy as PolicyNote[]) : [];
}

// Whether the fields may be changed by this user now (the server's "edit" action).
export function mayEdit(doc: InvoiceDocument | null | undefined): boolean {
  return documentAllows(doc, "edit");
}

// The status a document shows: a "needs review" whose claim finance approved has been
// reviewed ("checked").
export function displayStatus(doc: Pick<InvoiceDocument, "status" | "claim_status">): string {
  if (doc.status === "needs_review" && doc.claim_status && APPROVED_CLAIM_STATUSES.has(doc.claim_status)) {
    return "checked";
  }
  return doc.status;
}

// Never green while the policy will refuse it at submit.
export function displayTone(doc: Pick<InvoiceDocument, "status" | "claim_status" | "policy">): Tone {
  const tone = documentTone(displayStatus(doc));
  if (tone === "ok" && Array.isArray(doc.policy) && doc.policy.length) return "warn";
  return tone;
}

// The scan step is green only for a real "clean" verdict.
export function scanTone(doc: Pick<InvoiceDocument, "scan"> | null | undefined): Tone | null {
  const verdict = doc?.scan?.verdict;
  if (!verdict) return null;
  if (verdict === "clean") return "ok";
  if (verdict === "not_scanned" || verdict === "too_large") return "warn";
  return "bad";
}
