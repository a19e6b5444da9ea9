// A tiny i18n: two catalogues, a reactive locale, "{name}" placeholders. No runtime compiler,
// so nothing is evaluated from strings (fits a strict CSP) and the bundle stays small.

import { reactive } from "vue";
import { messages, type Locale } from "./messages";

export type { Locale } from "./messages";
export const LOCALES: readonly Locale[] = ["zh-CN", "en"];
export const STORAGE_KEY = "ia.locale";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

// An explicit choice wins; otherwise the browser's first language we speak; else English.
export function detectLocale(stored: string | null, languages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

export function translate(
  locale: Locale,
  key: string,
  params: Record<string, string | number> = {},
): string {
  const template = messages[locale][key] ?? messages.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

// Like translate, but returns the fallback when the key is unknown (labels from server data).
export function translateOr(
  locale: Locale,
  key: string,
  fallback: string,
  params: Record<string, string | number> = {},
): string {
  if (!(key in messages[locale]) && !(key in messages.en)) return fallback;
  return translate(locale, key, params);
}

export const i18n = reactive({ locale: "en" as Locale });

export function t(key: string, params?: Record<string, string | number>): string {
  return translate(i18n.locale, key, params);
}

export function tOr(key: string, fallback: string, params?: Record<string, string | number>): string {
  return translateOr(i18n.locale, key, fallback, params);
}

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = locale;
}

export function initLocale(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  i18n.locale = detectLocale(stored, languages);
  document.documentElement.lang = i18n.locale;
}

export function fieldLabel(field: string): string {
  return tOr(`field.${field}`, field.replace(/_/g, " "));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short" }).format(
    date,
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The server's language code for a UI locale, sent as Accept-Language and saved as the
// user's setting, so the server's own messages match the UI.
export function serverLanguage(locale: Locale): "zh-hans" | "en" {
  return locale === "zh-CN" ? "zh-hans" : "en";
}

export function localeFromServer(language: string | null | undefined): Locale | null {
  if (!language) return null;
  return language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}
