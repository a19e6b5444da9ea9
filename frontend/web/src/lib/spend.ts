// Spend by category and by month, from approved export items (or, failing that, claims).

import { toCents } from "./money";
import type { Claim, ExportItem } from "./types";

export interface Bucket {
  key: string;
  cents: number;
}

export interface Spend {
  currency: string;
  // The server's own total (never summed in the browser when the server gives it).
  totalCents?: number;
  count?: number;
  currencies?: { currency: string; cents: number; count: number }[];
  byCategory: Bucket[];
  byMonth: Bucket[];
  otherCurrencies: string[];
  source: "dashboard" | "exports" | "claims" | "none";
}

export const UNCATEGORIZED = "uncategorized";

function add(map: Map<string, number>, key: string, cents: number): void {
  map.set(key, (map.get(key) ?? 0) + cents);
}

function sortedByValue(map: Map<string, number>): Bucket[] {
  return [...map.entries()]
    .map(([key, cents]) => ({ key, cents }))
    .sort((a, b) => b.cents - a.cents || a.key.localeCompare(b.key));
}

function sortedByKey(map: Map<string, number>): Bucket[] {
  return [...map.entries()]
    .map(([key, cents]) => ({ key, cents }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

// The currency with the largest number of rows; the others are listed, not mixed in.
function mainCurrency(currencies: string[]): { main: string; others: string[] } {
  const counts = new Map<string, number>();
  for (const c of currencies) counts.set(c, (counts.get(c) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { main: ranked[0]?.[0] ?? "CNY", others: ranked.slice(1).map(([c]) => c) };
}

export function monthOf(isoDate: string | null | undefined): string | null {
  if (!isoDate) return null;
  const match = /^(\d{4})-(\d{2})/.exec(isoDate);
  return match ? `${match[1]}-${match[2]}` : null;
}

// What the spend needs of an export item.
export type SpendItem = Pick<
  ExportItem,
  "id" | "category" | "issue_date" | "total_amount" | "currency" | "approved_at"
>;

export function spendFromExports(items: readonly SpendItem[]): Spend {
  const rows = items.filter((item) => toCents(item.total_amount) !== null);
  const { main, others } = mainCurrency(rows.map((i) => i.currency || "CNY"));
  const byCategory = new Map<string, number>();
  const byMonth = new Map<string, number>();
  // An item appears once per document; duplicates across pages must not double the spend.
  const seen = new Set<string>();
  for (const item of rows) {
    if ((item.currency || "CNY") !== main) continue;
    const id = String(item.id);
    if (seen.has(id)) continue;
    seen.add(id);
    const cents = toCents(item.total_amount) ?? 0;
    add(byCategory, item.category || UNCATEGORIZED, cents);
    const month = monthOf(item.issue_date) ?? monthOf(item.approved_at);
    if (month) add(byMonth, month, cents);
  }
  return {
    currency: main,
    byCategory: sortedByValue(byCategory),
    byMonth: sortedByKey(byMonth),
    otherCurrencies: others,
    source: "exports",
  };
}

const APPROVED: ReadonlySet<string> = new Set(["finance_approved", "exported", "paid"]);

export function spendFromClaims(claims: readonly Claim[]): Spend {
  const approved = claims.filter((c) => APPROVED.has(c.status) && toCents(c.total) !== null);
  const { main, others } = mainCurrency(approved.map((c) => c.currency || "CNY"));
  const byMonth = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const claim of approved) {
    if ((claim.currency || "CNY") !== main) continue;
    const cents = toCents(claim.total) ?? 0;
    add(byCategory, UNCATEGORIZED, cents);
    const month = monthOf(claim.updated_at);
    if (month) add(byMonth, month, cents);
  }
  return {
    currency: main,
    byCategory: sortedByValue(byCategory),
    byMonth: sortedByKey(byMonth),
    otherCurrencies: others,
    source: "claims",
  };
}

function bucketsFrom(raw: unknown, keyName: string): Bucket[] | null {
  if (!Array.isArray(raw)) return null;
  const out: Bucket[] = [];
  for (const row of raw) {
    if (typeof row !== "object" || row === null) return null;
    const record = row as Record<string, unknown>;
    const key = record[keyName] ?? record.key ?? record.label;
    const cents = toCents(record.total ?? record.amount ?? record.total_amount);
    if (key === undefined || key === null || cents === null) return null;
    out.push({ key: String(key) || UNCATEGORIZED, cents });
  }
  return out;
}

// GET /api/v1/dashboard/spend/ is optional; accept {currency, by_category:[{category,total}],
// by_month:[{month,total}]} and ignore anything else (the caller falls back).
export function spendFromDashboard(body: unknown): Spend | null {
  if (typeof body !== "object" || body === null) return null;
  const record = body as Record<string, unknown>;
  const byCategory = bucketsFrom(record.by_category, "category");
  const byMonth = bucketsFrom(record.by_month, "month");
  if (!byCategory || !byMonth) return null;
  const currency = typeof record.currency === "string" ? record.currency : "CNY";
  const currencies = (Array.isArray(record.currencies) ? record.currencies : [])
    .filter((row): row is Record<string, unknown> => typeof row === "object" && row !== null)
    .map((row) => ({
      currency: String(row.currency ?? ""),
      cents: toCents(row.total as string | number | null) ?? 0,
      count: typeof row.count === "number" ? row.count : 0,
    }));
  const totalCents = toCents(record.total as string | number | null | undefined);
  return {
    currency,
    ...(totalCents !== null ? { totalCents } : {}),
    ...(typeof record.count === "number" ? { count: record.count } : {}),
    currencies,
    byCategory,
    byMonth: [...byMonth].sort((a, b) => a.key.localeCompare(b.key)),
    otherCurrencies: currencies.map((c) => c.currency).filter((c) => c && c !== currency),
    source: "dashboard",
  };
}
