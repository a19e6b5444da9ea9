// Small helpers that do not touch the DOM (so unit tests run under plain Node).

export function cookieValue(cookieHeader: string, name: string): string | null {
  for (const part of cookieHeader.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | null | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  if (!qs) return path;
  return path + (path.includes("?") ? "&" : "?") + qs;
}

// The server's "next" links are absolute; keep only path+query so requests stay same-origin.
export function relativeUrl(url: string): string {
  try {
    const parsed = new URL(url, "http://placeholder.invalid");
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}
