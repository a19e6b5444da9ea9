// What the server lets the asking user do now: each claim's and document's allowed_actions.
// A screen offers an action exactly when it is listed; the endpoint refuses every other one.
// Who may decide, edit or resolve is the server's rule, never restated here.

import type { ClaimAction, DocumentAction } from "./types";

interface Allowing<A> {
  allowed_actions: readonly A[];
}

export function claimAllows(claim: Allowing<ClaimAction> | null | undefined, action: ClaimAction): boolean {
  return !!claim && claim.allowed_actions.includes(action);
}

export function documentAllows(
  doc: Allowing<DocumentAction> | null | undefined,
  action: DocumentAction,
): boolean {
  return !!doc && doc.allowed_actions.includes(action);
}

export const DECISIONS = ["approve", "return", "reject"] as const;
export type Decision = (typeof DECISIONS)[number];

// Whether this user is asked for a review decision on the claim now.
export function decidable(claim: Allowing<ClaimAction> | null | undefined): boolean {
  return DECISIONS.some((decision) => claimAllows(claim, decision));
}
