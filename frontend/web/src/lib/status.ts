// What each document and claim status means for the UI: tone and steps. Whether it is
// finished (is_terminal) and what a user may do with it (allowed_actions) are the server's.

import { CLAIM_STATUS, DOCUMENT_STATUS, toneOf, type Tone } from "../../../shared/vocabulary";
import type { ClaimEvent, ClaimStatus, DocumentStatus } from "./types";

export type { Tone } from "../../../shared/vocabulary";
export { LOW_CONFIDENCE } from "../../../shared/vocabulary";

export const POLL_INTERVAL_MS = 1500;

export function documentTone(status: DocumentStatus | string): Tone {
  return toneOf(DOCUMENT_STATUS, status);
}

// The pipeline as the employee sees it: upload -> virus scan -> reading -> done.
export const DOCUMENT_STEPS = ["upload", "scan", "read", "done"] as const;

// terminal: the server's is_terminal (an end state this client may not know yet).
export function documentStep(status: DocumentStatus | string, terminal: boolean): number {
  switch (status) {
    case "received":
      return 1;
    case "scanning":
      return 1;
    case "clean":
    case "processing":
      return 2;
    default:
      return terminal ? 3 : 0;
  }
}

// The employee's place in line while a document waits for a worker (the API's
// queue_position): the message key and its count, or null once reading has started.
export function queueMessage(
  position: number | null | undefined,
): { key: string; n: number } | null {
  if (position === null || position === undefined) return null;
  return position > 0 ? { key: "doc.queueAhead", n: position } : { key: "doc.queueNext", n: 0 };
}

// A usable document has fields to look at (a human may still need to check them).
export function hasFields(status: string): boolean {
  return status === "extracted" || status === "needs_review";
}

export const CLAIM_STATUSES: readonly ClaimStatus[] = [
  "draft",
  "submitted",
  "manager_approved",
  "finance_approved",
  "exported",
  "paid",
  "returned",
  "rejected",
];

export function claimTone(status: ClaimStatus | string): Tone {
  return toneOf(CLAIM_STATUS, status);
}

// The review queue's status filter: the claims waiting for someone's decision.
export const QUEUE_STATUSES: readonly ClaimStatus[] = ["submitted", "manager_approved"];

export interface TimelineEntry {
  action: string;
  actor: string | null;
  at: string;
  comment: string;
  status: string | null; // the claim status after this event, when the event says so
}

function statusOf(value: Record<string, unknown> | null): string | null {
  const status = value?.status;
  return typeof status === "string" ? status : null;
}

export function timeline(events: readonly ClaimEvent[]): TimelineEntry[] {
  return [...events]
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
    .map((event) => ({
      action: event.action,
      actor: event.actor,
      at: event.created_at,
      comment: event.comment,
      status: statusOf(event.after),
    }));
}

// Why a returned claim came back: the latest return's comment and who wrote it, shown at
// the top of the claim (null unless the claim is returned now).
export function returnNote(
  status: string,
  events: readonly ClaimEvent[],
): { comment: string; actor: string | null; at: string } | null {
  if (status !== "returned") return null;
  const last = timeline(events)
    .filter((entry) => entry.action === "claim.returned")
    .pop();
  return last ? { comment: last.comment, actor: last.actor, at: last.at } : null;
}

// Order of fields on screen: what a reviewer checks first comes first.
export const FIELD_ORDER = [
  "total_amount",
  "issue_date",
  "seller_name",
  "seller_tax_id",
  "invoice_code",
  "invoice_number",
  "amount_excluding_tax",
  "tax_amount",
  "total_in_words",
  "buyer_name",
  "buyer_tax_id",
  "check_code",
  "currency",
] as const;

export function orderedFields(fields: Record<string, unknown>): string[] {
  const known = FIELD_ORDER.filter((f) => f in fields);
  const rest = Object.keys(fields)
    .filter((f) => !(FIELD_ORDER as readonly string[]).includes(f) && f !== "line_items")
    .sort();
  return [...known, ...rest];
}
