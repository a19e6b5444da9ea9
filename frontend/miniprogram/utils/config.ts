/**
 * Where the server is, and the client-side limits.
 *
 * The base URL is chosen by the build flavour WeChat reports (develop = DevTools or a
 * preview, trial = 体验版, release = 正式版). Edit SERVERS before building for your
 * deployment; trial/release need an https domain listed in the mini-program's
 * "request/uploadFile/downloadFile 合法域名" settings. In develop and trial builds the
 * URL can also be changed at run time (sign-in page / "Me" page); that override is
 * ignored in release so a production build always talks to the production server.
 */

export type EnvVersion = 'develop' | 'trial' | 'release';

export const SERVERS: Record<EnvVersion, string> = {
  develop: 'http://127.0.0.1:8000',
  trial: 'https://invoice-staging.example.com',
  release: 'https://invoice.example.com',
};

export const BASE_URL_OVERRIDE_KEY = 'ia.baseUrl';

/** Uploads at once: wx allows 10 network tasks in total, and polling needs some. */
export const UPLOAD_CONCURRENCY = 3;
/** wx.chooseMedia's own maximum per call. */
export const MAX_FILES_PER_PICK = 9;
/** Images above this are re-compressed with wx.compressImage before upload. */
export const COMPRESS_THRESHOLD_BYTES = 2 * 1024 * 1024;
export const COMPRESS_QUALITY = 80;
/** The server's default UPLOAD_MAX_BYTES; larger files are refused before sending. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const POLL_INTERVAL_MS = 2000;
export const REQUEST_TIMEOUT_MS = 20000;
export const UPLOAD_TIMEOUT_MS = 120000;

export function currentEnvVersion(): EnvVersion {
  try {
    const env = wx.getAccountInfoSync().miniProgram.envVersion;
    return env === 'trial' || env === 'release' ? env : 'develop';
  } catch {
    return 'develop';
  }
}

/** "https://host:8443/prefix/" -> "https://host:8443/prefix"; anything else -> null. */
export function normalizeBaseUrl(input: string): string | null {
  const url = input.trim().replace(/\/+$/, '');
  return /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[\w.~%-]+)*$/.test(url) ? url : null;
}

export function canOverrideBaseUrl(env: EnvVersion = currentEnvVersion()): boolean {
  return env !== 'release';
}

export function getBaseUrl(): string {
  const env = currentEnvVersion();
  if (canOverrideBaseUrl(env)) {
    const stored = wx.getStorageSync(BASE_URL_OVERRIDE_KEY);
    const override = typeof stored === 'string' ? normalizeBaseUrl(stored) : null;
    if (override) return override;
  }
  return SERVERS[env];
}

/** Stores a run-time override (develop/trial only); null or "" goes back to SERVERS. */
export function setBaseUrlOverride(input: string | null): string | null {
  if (input === null || input.trim() === '') {
    wx.removeStorageSync(BASE_URL_OVERRIDE_KEY);
    return null;
  }
  const url = normalizeBaseUrl(input);
  if (url === null || !canOverrideBaseUrl()) return null;
  wx.setStorageSync(BASE_URL_OVERRIDE_KEY, url);
  return url;
}
