// The only module that talks to the server: session cookie auth, CSRF header, one error type.

import { ApiError, errorFromBody } from "./errors";
import { cookieValue, relativeUrl, UNSAFE_METHODS, withQuery } from "./http";
import { i18n, serverLanguage } from "./i18n";
import { session } from "./session";
import type {
  BulkApproveResult,
  Claim,
  AppNotification,
  Correction,
  CreatedToken,
  ExchangeRate,
  ExportPage,
  InvoiceDocument,
  Me,
  NamedToken,
  NotificationPreferences,
  NotificationSummary,
  Page,
  ReviewClaim,
  UploadOutcome,
} from "./types";
import { uploadOutcome } from "./upload";

type Query = Record<string, string | number | boolean | null | undefined>;

function csrfToken(): string {
  return cookieValue(document.cookie, "csrftoken") ?? "";
}

function noteScanning(header: string | null): void {
  if (header && header.toLowerCase() === "unavailable") session.scanningUnavailable = true;
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query } = {},
): Promise<T> {
  // The server answers in the UI's language (a saved user setting wins there).
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Accept-Language": serverLanguage(i18n.locale),
  };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE_METHODS.has(method)) headers["X-CSRFToken"] = csrfToken();
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (err) {
    throw new ApiError(0, "network_error", err instanceof Error ? err.message : String(err));
  }
  noteScanning(response.headers.get("X-Virus-Scanning"));
  const body = await parseBody(response);
  if (!response.ok) {
    const error = errorFromBody(response.status, body, response.statusText);
    if (response.status === 401 || error.code === "not_authenticated") redirectToLogin();
    throw error;
  }
  return body as T;
}

export function redirectToLogin(): void {
  if (typeof window !== "undefined" && !window.location.pathname.startsWith("/login")) {
    window.location.assign(loginUrl(window.location.hash));
  }
}

// The sign-in page, coming back to this route afterwards (deep links survive sign-in).
export function loginUrl(hash: string): string {
  return hash.startsWith("#/") ? `/login/?next=${encodeURIComponent(`/${hash}`)}` : "/login/";
}

export function uploadDocument(
  file: File,
  options: { claim?: number | null; onProgress?: (fraction: number) => void } = {},
): Promise<UploadOutcome> {
  // XMLHttpRequest, not fetch: only XHR reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/documents/");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", serverLanguage(i18n.locale));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && options.onProgress) {
        options.onProgress(event.total ? event.loaded / event.total : 0);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "Upload failed (network)."));
    xhr.onload = () => {
      noteScanning(xhr.getResponseHeader("X-Virus-Scanning"));
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* keep text */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress?.(1);
        resolve(uploadOutcome(body));
      } else {
        reject(errorFromBody(xhr.status, body, xhr.statusText));
      }
    };
    const form = new FormData();
    form.append("file", file, file.name);
    if (options.claim) form.append("claim", String(options.claim));
    xhr.send(form);
  });
}

export async function fetchBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { credentials: "same-origin" });
  if (!response.ok) throw errorFromBody(response.status, await parseBody(response));
  return response.blob();
}

// Endpoints (one line each; the shapes live in types.ts).
export const api = {
  me: () => request<Me>("GET", "/api/v1/me/"),
  setLanguage: (language: string) => request<Me>("PATCH", "/api/v1/me/", { body: { language } }),
  tokens: () => request<NamedToken[]>("GET", "/api/v1/tokens/"),
  createToken: (name: string, days: number) =>
    request<CreatedToken>("POST", "/api/v1/tokens/", { body: { name, days } }),
  revokeToken: (id: number) => request<null>("DELETE", `/api/v1/tokens/${id}/`),
  documents: (query: Query = {}) =>
    request<Page<InvoiceDocument>>("GET", "/api/v1/documents/", { query }),
  document: (id: number) => request<InvoiceDocument>("GET", `/api/v1/documents/${id}/`),
  editField: (id: number, field: string, value: unknown) =>
    request<InvoiceDocument>("PATCH", `/api/v1/documents/${id}/fields/`, {
      body: { field, value },
    }),
  corrections: (id: number) =>
    request<Correction[] | Page<Correction>>("GET", `/api/v1/documents/${id}/corrections/`),
  resolveDuplicate: (id: number, comment: string) =>
    request<InvoiceDocument>("POST", `/api/v1/documents/${id}/resolve-duplicate/`, {
      body: { comment },
    }),
  claims: (query: Query = {}) => request<Page<Claim>>("GET", "/api/v1/claims/", { query }),
  claim: (id: number) => request<Claim>("GET", `/api/v1/claims/${id}/`),
  createClaim: (title: string, currency = "CNY") =>
    request<Claim>("POST", "/api/v1/claims/", { body: { title, currency } }),
  updateClaim: (id: number, patch: { title?: string; currency?: string }) =>
    request<Claim>("PATCH", `/api/v1/claims/${id}/`, { body: patch }),
  deleteClaim: (id: number) => request<null>("DELETE", `/api/v1/claims/${id}/`),
  addToClaim: (id: number, document: number) =>
    request<Claim>("POST", `/api/v1/claims/${id}/documents/`, { body: { document } }),
  removeFromClaim: (id: number, document: number) =>
    request<Claim>("DELETE", `/api/v1/claims/${id}/documents/${document}/`),
  moveToClaim: (id: number, document: number, to: number) =>
    request<Claim>("POST", `/api/v1/claims/${id}/documents/${document}/move/`, {
      body: { claim: to },
    }),
  submitClaim: (id: number) => request<Claim>("POST", `/api/v1/claims/${id}/submit/`),
  decide: (id: number, decision: "approve" | "return" | "reject", comment: string) =>
    request<Claim>("POST", `/api/v1/claims/${id}/${decision}/`, { body: { comment } }),
  bulkApprove: (ids: number[], comment: string) =>
    request<BulkApproveResult>("POST", "/api/v1/claims/bulk-approve/", {
      body: { ids, comment },
    }),
  comment: (id: number, text: string) =>
    request<unknown>("POST", `/api/v1/claims/${id}/comments/`, { body: { text } }),
  queue: (query: Query = {}) =>
    request<Page<ReviewClaim>>("GET", "/api/v1/review/queue/", { query }),
  queuePage: (url: string) => request<Page<ReviewClaim>>("GET", relativeUrl(url)),
  exportsApproved: (query: Query = {}) =>
    request<ExportPage>("GET", "/api/v1/exports/approved/", {
      query: { format: "json", ...query },
    }),
  dashboardSpend: (query: Query = {}) =>
    request<unknown>("GET", "/api/v1/dashboard/spend/", { query }),
  notifications: (query: Query = {}) =>
    request<Page<AppNotification>>("GET", "/api/v1/notifications/", { query }),
  notificationSummary: () =>
    request<NotificationSummary>("GET", "/api/v1/notifications/summary/"),
  markRead: (id: number) =>
    request<AppNotification>("POST", `/api/v1/notifications/${id}/read/`),
  markAllRead: () => request<{ marked: number }>("POST", "/api/v1/notifications/read-all/"),
  notificationPreferences: () =>
    request<NotificationPreferences>("GET", "/api/v1/notifications/preferences/"),
  setNotificationPreferences: (patch: Partial<NotificationPreferences>) =>
    request<NotificationPreferences>("PATCH", "/api/v1/notifications/preferences/", {
      body: patch,
    }),
  exchangeRates: (query: Query = {}) =>
    request<Page<ExchangeRate>>("GET", "/api/v1/exchange-rates/", { query }),
  addExchangeRate: (rate: {
    from_currency: string;
    to_currency: string;
    rate: string;
    date: string;
    source: string;
  }) => request<ExchangeRate>("POST", "/api/v1/exchange-rates/", { body: rate }),
  deleteExchangeRate: (id: number) => request<null>("DELETE", `/api/v1/exchange-rates/${id}/`),
  currencies: () => request<string[]>("GET", "/api/v1/currencies/"),
};
