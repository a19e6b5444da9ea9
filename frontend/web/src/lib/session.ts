// App-wide state: who is signed in, and whether the server scans uploads for viruses.

import { reactive } from "vue";
import type { Me, Role } from "./types";

export const session = reactive({
  me: null as Me | null,
  // Set by /me/ and by any answer carrying "X-Virus-Scanning: unavailable".
  scanningUnavailable: false,
});

export function hasRole(me: Me | null, ...roles: Role[]): boolean {
  return !!me && me.roles.some((r) => roles.includes(r));
}

export function isReviewer(me: Me | null): boolean {
  return hasRole(me, "approver", "finance", "admin");
}

// Where "/" leads: employees upload, reviewers work the queue.
export function homeRoute(me: Me | null): string {
  if (!me) return "/upload";
  if (hasRole(me, "employee")) return "/upload";
  if (isReviewer(me)) return "/review";
  return "/upload";
}
