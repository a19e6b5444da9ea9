/** Sign-in flow: wx.login code -> our server, with the one-time binding code on first use. */
import { ApiError, errorMessage, loginWithPassword, loginWithWechat } from '../../utils/api';
import { t } from '../../utils/i18n';
import type { User } from '../../utils/types';

export type SignInOutcome =
  | { kind: 'signed_in'; user: User | null }
  | { kind: 'binding_required' }
  | { kind: 'error'; code: string; message: string };

/** A wx.login code is single-use and short-lived: get a fresh one for every attempt. */
export function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new Error(t('login_wechat_failed')))),
      fail: () => reject(new Error(t('login_wechat_failed'))),
    });
  });
}

/** People copy codes from chat messages with stray spaces and line breaks. */
export function normalizeBindingCode(input: string): string {
  return input.replace(/\s+/g, '');
}

/** Codes this page explains itself, in the user's language, instead of the server's text. */
const LOCAL_MESSAGES: Record<string, () => string> = {
  invalid_binding_code: () => t('error_invalid_binding_code'),
  wechat_unavailable: () => t('error_wechat_unavailable'),
  invalid_code: () => t('error_invalid_code'),
  invalid_credentials: () => t('error_invalid_credentials'),
};

export function toOutcome(err: unknown): SignInOutcome {
  if (err instanceof ApiError) {
    if (err.code === 'binding_required') return { kind: 'binding_required' };
    const local = LOCAL_MESSAGES[err.code];
    return { kind: 'error', code: err.code, message: local ? local() : err.message };
  }
  return { kind: 'error', code: 'wechat_login_failed', message: errorMessage(err) };
}

export async function signInWithWechat(
  bindingCode?: string,
  getCode: () => Promise<string> = wxLoginCode,
): Promise<SignInOutcome> {
  const binding = bindingCode === undefined ? '' : normalizeBindingCode(bindingCode);
  try {
    const code = await getCode();
    const result = await loginWithWechat(code, binding || undefined);
    return { kind: 'signed_in', user: result.user ?? null };
  } catch (err) {
    return toOutcome(err);
  }
}

export async function signInWithPassword(username: string, password: string): Promise<SignInOutcome> {
  if (!username.trim() || !password) {
    return { kind: 'error', code: 'missing_credentials', message: t('login_password_empty') };
  }
  try {
    // The password sign-in answers the token only (its user comes from /me/).
    await loginWithPassword(username.trim(), password);
    return { kind: 'signed_in', user: null };
  } catch (err) {
    return toOutcome(err);
  }
}
