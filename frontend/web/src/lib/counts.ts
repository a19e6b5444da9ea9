// The nav badges: unread notifications and claims waiting for this user's review.

import { api } from "./api";
import { session } from "./session";

export async function refreshCounts(): Promise<void> {
  try {
    const summary = await api.notificationSummary();
    session.counts.unread = summary.unread;
    session.counts.reviewPending = summary.review_pending;
  } catch {
    // A badge is not worth an error banner; the next refresh tries again.
  }
}

// Badges show "99+" past 99, so the nav keeps its width.
export function badgeText(count: number): string {
  return count > 99 ? "99+" : String(count);
}
