// Every failed request becomes one ApiError, whatever shape the server (or the network) gave.
// The backend answers {"error": {code, message, details}}; DRF defaults and proxies may not.

import type { PolicyViolation } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function codeForStatus(status: number): string {
  if (status === 0) return "network_error";
  if (status === 401) return "not_authenticated";
  if (status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "file_too_large";
  if (status === 415) return "unsupported_type";
  if (status === 429) return "throttled";
  if (status >= 500) return "server_error";
  return "invalid";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// DRF validation errors: {"field": ["msg", ...], ...} -> "field: msg; ..."
function flattenValidation(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const messages = Array.isArray(value) ? value.map(String) : [String(value)];
    parts.push(key === "non_field_errors" ? messages.join(" ") : `${key}: ${messages.join(" ")}`);
  }
  return parts.join("; ");
}

export function errorFromBody(status: number, body: unknown, statusText = ""): ApiError {
  const fallbackCode = codeForStatus(status);
  if (isRecord(body) && isRecord(body.error)) {
    const err = body.error;
    const code = typeof err.code === "string" && err.code ? err.code : fallbackCode;
    const message = typeof err.message === "string" && err.message ? err.message : statusText;
    return new ApiError(status, code, message || code, err.details ?? null);
  }
  if (isRecord(body) && typeof body.detail === "string") {
    const code = typeof body.code === "string" ? body.code : fallbackCode;
    return new ApiError(status, code, body.detail, null);
  }
  if (isRecord(body) && Object.keys(body).length > 0) {
    return new ApiError(status, fallbackCode, flattenValidation(body), body);
  }
  const text = typeof body === "string" && body.trim() && body.length < 300 ? body.trim() : "";
  return new ApiError(status, fallbackCode, text || statusText || fallbackCode, null);
}

export function policyViolations(error: unknown): PolicyViolation[] {
  if (!(error instanceof ApiError) || !isRecord(error.details)) return [];
  const raw = error.details.violations;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((v) => ({
    code: String(v.code ?? ""),
    message: String(v.message ?? ""),
    document: typeof v.document === "number" ? v.document : null,
  }));
}

// The i18n key for a user-facing message; the server's own message is shown when no key fits.
export function errorMessageKey(error: unknown): string | null {
  if (!(error instanceof ApiError)) return "error.unexpected";
  switch (error.code) {
    case "network_error":
      return "error.network";
    case "not_authenticated":
      return "error.signedOut";
    case "permission_denied":
    case "not_owner":
      return "error.forbidden";
    case "not_found":
      return "error.notFound";
    case "conflict":
      return "error.conflict";
    case "throttled":
      return "error.throttled";
    case "server_error":
      return "error.server";
    default:
      return null;
  }
}
