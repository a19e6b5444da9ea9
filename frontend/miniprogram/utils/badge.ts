/** The unread-notification badge on the "Me" tab (where the inbox opens). */
import { fetchNotificationSummary } from './api';
import type { NotificationSummary } from './types';

export const ME_TAB_INDEX = 2;

export function badgeText(unread: number): string {
  return unread > 99 ? '99+' : String(unread);
}

export function applyBadge(unread: number): void {
  if (unread > 0) wx.setTabBarBadge({ index: ME_TAB_INDEX, text: badgeText(unread) });
  else wx.removeTabBarBadge({ index: ME_TAB_INDEX });
}

/** Reads the counts and shows them; a failure leaves the badge as it was (no error shown). */
export async function refreshBadge(): Promise<NotificationSummary | null> {
  try {
    const summary = await fetchNotificationSummary();
    applyBadge(summary.unread);
    return summary;
  } catch {
    return null;
  }
}
