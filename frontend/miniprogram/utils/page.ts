/** Small helpers every page uses: the sign-in guard, titles and tab bar texts. */
import { isSignedIn, LOGIN_PAGE } from './api';
import { Lang, MessageKey, getLanguage, t } from './i18n';

/** Sends the user to the sign-in page when there is no token; returns whether they may stay. */
export function requireSignIn(): boolean {
  if (isSignedIn()) return true;
  wx.reLaunch({ url: LOGIN_PAGE });
  return false;
}

export function setTitle(key: MessageKey): void {
  wx.setNavigationBarTitle({ title: t(key) });
}

/** Tab texts in app.json are Chinese; switch them when the user reads English. */
const TAB_KEYS: MessageKey[] = ['tab_documents', 'tab_claims', 'tab_me'];

export function applyTabBarLanguage(lang: Lang = getLanguage()): void {
  TAB_KEYS.forEach((key, index) => {
    wx.setTabBarItem({ index, text: t(key, undefined, lang) });
  });
}

export const DOCUMENT_PAGE = '/pages/document/index';
export const CLAIM_PAGE = '/pages/claim/index';
export const UPLOAD_PAGE = '/pages/upload/index';
export const DOCUMENTS_TAB = '/pages/documents/index';
export const CLAIMS_TAB = '/pages/claims/index';

/** Page query values arrive as strings; ids must be positive integers. */
export function parseId(value: string | undefined): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

/** The parts of WXML events the pages read (the full typings are needlessly generic). */
export interface InputEvent {
  detail: { value: string };
}

export interface DatasetEvent<T = Record<string, string | number | undefined>> {
  currentTarget: { dataset: T };
}

/** wx.showModal as a promise: true when the user confirmed. */
export function confirmModal(content: string, title = ''): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      content,
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    });
  });
}

/** An error the user must read (not a toast, which truncates long server messages). */
export function alertModal(title: string, content: string): void {
  wx.showModal({ title, content, showCancel: false });
}
