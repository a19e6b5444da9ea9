/**
 * The REST API module: request building, the token, the auth header, error mapping and
 * uploads with progress. Every page talks to the server through this file only.
 *
 * Errors: the server answers `{"error": {"code", "message", "details"}}`; every failure
 * (HTTP status, transport, unreadable body) becomes an ApiError with a stable `code`
 * and a `message` fit to show to the user.
 */
import { getBaseUrl, REQUEST_TIMEOUT_MS, UPLOAD_TIMEOUT_MS } from './config';
import { getLanguage, t } from './i18n';
import type {
  AuthResult,
  ClaimDto,
  DocumentDto,
  Me,
  NotificationDto,
  NotificationSummary,
  Paginated,
  UploadOutcome,
  WeChatAuthResult,
} from './types';

export const TOKEN_KEY = 'ia.token';
export const LOGIN_PAGE = '/pages/login/index';
const SESSION_EXPIRED_KEY = 'ia.sessionExpired';

/** wx.request has no PATCH (its methods: OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// ---- token -------------------------------------------------------------------------

export function getToken(): string | null {
  const token = wx.getStorageSync(TOKEN_KEY);
  return typeof token === 'string' && token !== '' ? token : null;
}

export function setToken(token: string): void {
  wx.setStorageSync(TOKEN_KEY, token);
}

export function clearToken(): void {
  wx.removeStorageSync(TOKEN_KEY);
}

export function isSignedIn(): boolean {
  return getToken() !== null;
}

/** Several requests failing with 401 together must open the sign-in page only once. */
const REDIRECT_DEBOUNCE_MS = 2000;
let lastRedirectAt = -Infinity;

/** A 401 on an authenticated call means the token is dead: forget it, show the sign-in page. */
function handleUnauthorized(): void {
  // Tell the sign-in page why the user is back there (only if they were signed in).
  if (getToken() !== null) wx.setStorageSync(SESSION_EXPIRED_KEY, true);
  clearToken();
  const now = Date.now();
  if (now - lastRedirectAt < REDIRECT_DEBOUNCE_MS) return;
  lastRedirectAt = now;
  wx.reLaunch({ url: LOGIN_PAGE });
}

/** True once after a dead token sent the user to sign in. */
export function consumeSessionExpired(): boolean {
  const expired = wx.getStorageSync(SESSION_EXPIRED_KEY) === true;
  if (expired) wx.removeStorageSync(SESSION_EXPIRED_KEY);
  return expired;
}

// ---- request building ------------------------------------------------------------------

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts = Object.keys(query)
    .filter((key) => query[key] !== undefined && query[key] !== null)
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(query[key]))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * `path` is relative to the API root ("documents/"), a server-absolute path the API gave
 * us ("/api/v1/documents/3/file/", resolved against the server's origin), or a full URL.
 */
export function buildUrl(path: string, query?: Query): string {
  if (/^https?:\/\//.test(path)) return path + buildQuery(query);
  const base = getBaseUrl();
  if (path.startsWith('/')) {
    const origin = /^https?:\/\/[^/]+/.exec(base)?.[0] ?? base;
    return origin + path + buildQuery(query);
  }
  return `${base}/api/v1/${path}${buildQuery(query)}`;
}

export function buildHeaders(withAuth: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': getLanguage() === 'en' ? 'en' : 'zh-hans',
  };
  const token = withAuth ? getToken() : null;
  if (token) headers.Authorization = `Token ${token}`;
  return headers;
}

// ---- error mapping -------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fallbackCode(status: number): string {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'not_authenticated';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too_large';
  if (status === 429) return 'throttled';
  return status >= 500 ? 'server_error' : `http_${status}`;
}

function fallbackMessage(status: number): string {
  return status >= 500 ? t('error_server', { status }) : t('error_http', { status });
}

/** Maps a non-2xx answer (body already parsed when it was JSON) to an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isObject(body) && isObject(body.error)) {
    const err = body.error;
    const code = typeof err.code === 'string' && err.code ? err.code : fallbackCode(status);
    const message =
      typeof err.message === 'string' && err.message ? err.message : fallbackMessage(status);
    return new ApiError(status, code, message, isObject(err.details) ? err.details : {});
  }
  // DRF's own shape, in case a response bypasses our exception handler.
  if (isObject(body) && typeof body.detail === 'string') {
    return new ApiError(status, fallbackCode(status), body.detail);
  }
  return new ApiError(status, fallbackCode(status), fallbackMessage(status));
}

/** wx failure callbacks carry only an errMsg such as "request:fail timeout". */
export function transportError(errMsg: string | undefined): ApiError {
  if (errMsg && /abort/i.test(errMsg)) return new ApiError(0, 'aborted', t('error_aborted'));
  return new ApiError(0, 'network_error', t('error_network'), { errMsg: errMsg ?? '' });
}

/** The text to show the user for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return t('error_network');
}

// ---- requests --------------------------------------------------------------------------

export interface RequestOptions {
  method?: HttpMethod;
  query?: Query;
  data?: Record<string, unknown>;
  /** false for the sign-in calls: no token is sent and a 401 does not redirect. */
  auth?: boolean;
}

export function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const auth = options.auth !== false;
  const header = buildHeaders(auth);
  if (options.data !== undefined) header['Content-Type'] = 'application/json';
  return new Promise<T>((resolve, reject) => {
    wx.request({
      url: buildUrl(path, options.query),
      method,
      header,
      data: options.data === undefined ? undefined : JSON.stringify(options.data),
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      success: (res) => {
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          resolve((status === 204 ? undefined : res.data) as T);
          return;
        }
        if (status === 401 && auth) handleUnauthorized();
        reject(toApiError(status, res.data));
      },
      fail: (err) => reject(transportError(err.errMsg)),
    });
  });
}

// ---- upload -----------------------------------------------------------------------------

export interface UploadProgress {
  /** 0..100 */
  progress: number;
  sent: number;
  total: number;
}

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort(): void;
}

export interface UploadOptions {
  /** Extra multipart fields, e.g. {claim: 12}. */
  fields?: Record<string, string | number>;
  onProgress?: (progress: UploadProgress) => void;
}

/** uploadFile hands back the body as text whatever its type. */
function parseText(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

export function upload<T>(path: string, filePath: string, options: UploadOptions = {}): UploadHandle<T> {
  let task: WechatMiniprogram.UploadTask | null = null;
  const formData: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.fields ?? {})) formData[key] = String(value);
  const promise = new Promise<T>((resolve, reject) => {
    task = wx.uploadFile({
      url: buildUrl(path),
      filePath,
      name: 'file',
      header: buildHeaders(true),
      formData,
      timeout: UPLOAD_TIMEOUT_MS,
      success: (res) => {
        const body = parseText(res.data);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          if (isObject(body)) resolve(body as T);
          else reject(new ApiError(res.statusCode, 'bad_response', t('error_bad_response')));
          return;
        }
        if (res.statusCode === 401) handleUnauthorized();
        reject(toApiError(res.statusCode, body));
      },
      fail: (err) => reject(transportError(err.errMsg)),
    });
    if (options.onProgress) {
      const onProgress = options.onProgress;
      task.onProgressUpdate((res) =>
        onProgress({
          progress: res.progress,
          sent: res.totalBytesSent,
          total: res.totalBytesExpectedToSend,
        }),
      );
    }
  });
  return {
    promise,
    abort: () => {
      if (task) task.abort();
    },
  };
}

// ---- endpoints ---------------------------------------------------------------------------

/** Username/password sign-in (developer builds and the contract test: wx.login needs WeChat). */
export async function loginWithPassword(username: string, password: string): Promise<AuthResult> {
  const result = await request<AuthResult>('auth/token/', {
    method: 'POST',
    data: { username, password },
    auth: false,
  });
  setToken(result.token);
  return result;
}

/**
 * Exchanges a wx.login code. The first sign-in of a WeChat identity needs the one-time
 * binding code from an administrator; without it the server answers `binding_required`.
 */
export async function loginWithWechat(
  code: string,
  bindingCode?: string,
): Promise<WeChatAuthResult> {
  const data: Record<string, unknown> = { code };
  if (bindingCode) data.binding_code = bindingCode;
  const result = await request<WeChatAuthResult>('auth/wechat/', {
    method: 'POST',
    data,
    auth: false,
  });
  setToken(result.token);
  return result;
}

/**
 * Signs this device out: the token is forgotten at once, then revoked on the server
 * (`auth/logout/`) so a copy of it stops working too. Best effort: offline, or with a token
 * the server already refuses, the sign-out still happens and the token expires by itself.
 */
export function signOut(): Promise<void> {
  const token = getToken();
  clearToken();
  if (token === null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    wx.request({
      url: buildUrl('auth/logout/'),
      method: 'POST',
      header: { ...buildHeaders(false), Authorization: `Token ${token}` },
      timeout: REQUEST_TIMEOUT_MS,
      success: () => resolve(),
      fail: () => resolve(),
    });
  });
}

export function fetchMe(): Promise<Me> {
  return request<Me>('me/');
}

/**
 * Saves the user's language on the server: its messages (upload refusals, warnings,
 * policy problems) then come in it on every device. PUT: wx.request cannot PATCH.
 */
export function saveLanguage(lang: 'zh-CN' | 'en'): Promise<Me> {
  return request<Me>('me/', { method: 'PUT', data: { language: lang === 'en' ? 'en' : 'zh-hans' } });
}

export function listDocuments(page = 1): Promise<Paginated<DocumentDto>> {
  return request<Paginated<DocumentDto>>('documents/', { query: { page } });
}

export function getDocument(id: number): Promise<DocumentDto> {
  return request<DocumentDto>(`documents/${id}/`);
}

/**
 * A single file answers the document; a zip, or a PDF holding several invoices, answers
 * {batch, documents}. Both become one shape here.
 */
export function uploadOutcome(body: DocumentDto | UploadOutcome): UploadOutcome {
  const batch = (body as UploadOutcome).batch;
  const documents = (body as UploadOutcome).documents;
  if (batch && Array.isArray(documents)) return { batch, documents };
  return { batch: null, documents: [body as DocumentDto] };
}

export function uploadDocument(
  filePath: string,
  options: { claim?: number | null; onProgress?: (p: UploadProgress) => void } = {},
): UploadHandle<UploadOutcome> {
  const fields: Record<string, number> = {};
  if (options.claim) fields.claim = options.claim;
  const handle = upload<DocumentDto | UploadOutcome>('documents/', filePath, {
    fields,
    onProgress: options.onProgress,
  });
  return { promise: handle.promise.then(uploadOutcome), abort: handle.abort };
}

/**
 * Corrects one extracted field; `value` null clears it. The contract names PATCH, but
 * wx.request cannot send PATCH, so the mini-program uses PUT with the same body and the
 * server routes both to the same handler.
 */
export function updateDocumentField(
  id: number,
  field: string,
  value: string | null,
): Promise<DocumentDto> {
  return request<DocumentDto>(`documents/${id}/fields/`, {
    method: 'PUT',
    data: { field, value },
  });
}

/** Lists may come paginated or as a bare array; pages see one shape. */
function asPage<T>(body: Paginated<T> | T[]): Paginated<T> {
  if (Array.isArray(body)) return { count: body.length, next: null, previous: null, results: body };
  return body;
}

export async function listClaims(page = 1): Promise<Paginated<ClaimDto>> {
  return asPage(await request<Paginated<ClaimDto> | ClaimDto[]>('claims/', { query: { page } }));
}

export function getClaim(id: number): Promise<ClaimDto> {
  return request<ClaimDto>(`claims/${id}/`);
}

export function createClaim(input: { title: string; currency: string }): Promise<ClaimDto> {
  return request<ClaimDto>('claims/', { method: 'POST', data: input });
}

export function deleteClaim(id: number): Promise<void> {
  return request<void>(`claims/${id}/`, { method: 'DELETE' });
}

/** Takes a document out of a draft (or returned) claim; it stays among the owner's. */
export function removeDocumentFromClaim(claimId: number, documentId: number): Promise<ClaimDto> {
  return request<ClaimDto>(`claims/${claimId}/documents/${documentId}/`, { method: 'DELETE' });
}

/** Moves a document to another of the owner's draft claims; answers the target claim. */
export function moveDocumentToClaim(claimId: number, documentId: number, to: number): Promise<ClaimDto> {
  return request<ClaimDto>(`claims/${claimId}/documents/${documentId}/move/`, {
    method: 'POST',
    data: { claim: to },
  });
}

/** The server answers with the claim or with the document; callers re-read the claim. */
export function addDocumentToClaim(claimId: number, documentId: number): Promise<unknown> {
  return request<unknown>(`claims/${claimId}/documents/`, {
    method: 'POST',
    data: { document: documentId },
  });
}

export function fetchNotificationSummary(): Promise<NotificationSummary> {
  return request<NotificationSummary>('notifications/summary/');
}

export async function listNotifications(page = 1): Promise<Paginated<NotificationDto>> {
  return asPage(
    await request<Paginated<NotificationDto> | NotificationDto[]>('notifications/', {
      query: { page },
    }),
  );
}

export function markNotificationRead(id: number): Promise<NotificationDto> {
  return request<NotificationDto>(`notifications/${id}/read/`, { method: 'POST' });
}

export function markAllNotificationsRead(): Promise<{ marked: number }> {
  return request<{ marked: number }>('notifications/read-all/', { method: 'POST' });
}

export function submitClaim(id: number): Promise<ClaimDto> {
  return request<ClaimDto>(`claims/${id}/submit/`, { method: 'POST' });
}

/** The document's original file, downloaded with the token (wx image tags cannot send headers). */
export function downloadDocumentFile(doc: Pick<DocumentDto, 'id' | 'file_url'>): Promise<string> {
  const path = doc.file_url || `documents/${doc.id}/file/`;
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: buildUrl(path),
      header: buildHeaders(true),
      success: (res) => {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.tempFilePath);
        else {
          if (res.statusCode === 401) handleUnauthorized();
          reject(toApiError(res.statusCode, null));
        }
      },
      fail: (err) => reject(transportError(err.errMsg)),
    });
  });
}
