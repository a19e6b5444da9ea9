// App-wide state: who is signed in, and whether the server scans uploads for viruses.

import { reactive } from "vue";
import type { Me, Role, UserAction } from "./types";

export const session = reactive({
  me: null as Me | null,
  // The badges: unread notifications, claims waiting for this user's review.
  counts: { unread: 0, reviewPending: 0 },
  // Set by /me/ and by any answer carrying "X-Virus-Scanning: unavailable".
  scanningUnavailable: false,
});

export function hasRole(me: Me | null, ...roles: Role[]): boolean {
  return !!me && me.roles.some((r) => roles.includes(r));
}

// Which parts of the app the server lets this user use (a menu entry shows exactly then).
export function meAllows(me: Me | null, action: UserAction): boolean {
  return !!me && me.allowed_actions.includes(action);
}

export function isReviewer(me: Me | null): boolean {
  return meAllows(me, "review");
}

// Where "/" leads: reviewers with claims waiting land on their queue, employees upload.
export function homeRoute(me: Me | null, reviewPending = session.counts.reviewPending): string {
  if (!me) return "/upload";
  if (isReviewer(me) && (reviewPending > 0 || !hasRole(me, "employee"))) return "/review";
  return "/upload";
}
