/** Pure helpers of the inbox page. */
import type { NotificationDto } from '../../utils/types';

export interface NotificationRow {
  id: number;
  title: string;
  body: string;
  date: string;
  unread: boolean;
  page: string;
}

export function notificationRow(item: NotificationDto): NotificationRow {
  return {
    id: item.id,
    title: item.title,
    body: item.body,
    date: item.created_at.slice(0, 16).replace('T', ' '),
    unread: item.unread,
    page: item.miniprogram_page,
  };
}

/** The server names a page relative to the app root; wx.navigateTo wants it absolute. */
export function pageUrl(page: string): string {
  return page.startsWith('/') ? page : `/${page}`;
}
