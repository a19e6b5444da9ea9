import { describe, expect, it } from "vitest";
import { formatCents, toCents } from "../src/lib/money";
import { spendFromClaims, spendFromDashboard, spendFromExports, type SpendItem } from "../src/lib/spend";
import type { Claim } from "../src/lib/types";
import { makeClaim } from "./fixtures";

function item(id: string, category: string, date: string, total: string, currency = "CNY"): SpendItem {
  return { id, category, issue_date: date, total_amount: total, currency, approved_at: "2025-03-01T00:00:00Z" };
}

describe("money", () => {
  it("adds decimal amounts exactly as cents", () => {
    expect(toCents("0.10")! + toCents("0.20")!).toBe(30);
    expect(toCents("1,234.5")).toBe(123450);
    expect(toCents("abc")).toBeNull();
    expect(formatCents(123456789)).toBe("1,234,567.89");
  });
});

describe("spendFromExports", () => {
  it("sums by category (largest first) and by month (in order)", () => {
    const spend = spendFromExports([
      item("doc-1", "meals", "2025-02-03", "10.10"),
      item("doc-2", "travel", "2025-01-20", "100.00"),
      item("doc-3", "meals", "2025-01-05", "0.20"),
      item("doc-4", "", "2025-02-10", "5.00"),
    ]);
    expect(spend.byCategory).toEqual([
      { key: "travel", cents: 10000 },
      { key: "meals", cents: 1030 },
      { key: "uncategorized", cents: 500 },
    ]);
    expect(spend.byMonth).toEqual([
      { key: "2025-01", cents: 10020 },
      { key: "2025-02", cents: 1510 },
    ]);
  });

  it("counts an item seen twice only once", () => {
    const spend = spendFromExports([item("doc-1", "meals", "2025-02-03", "10.00"), item("doc-1", "meals", "2025-02-03", "10.00")]);
    expect(spend.byCategory).toEqual([{ key: "meals", cents: 1000 }]);
  });

  it("keeps the main currency and names the others instead of mixing them", () => {
    const spend = spendFromExports([
      item("a", "meals", "2025-02-03", "10.00"),
      item("b", "meals", "2025-02-03", "20.00"),
      item("c", "meals", "2025-02-03", "99.00", "USD"),
    ]);
    expect(spend.currency).toBe("CNY");
    expect(spend.byCategory).toEqual([{ key: "meals", cents: 3000 }]);
    expect(spend.otherCurrencies).toEqual(["USD"]);
  });
});

describe("spendFromClaims", () => {
  it("counts only approved claims", () => {
    const claim = (status: Claim["status"], total: string): Claim =>
      makeClaim({ status, total, updated_at: "2025-04-02T00:00:00Z" });
    const spend = spendFromClaims([claim("finance_approved", "10.00"), claim("draft", "99.00"), claim("paid", "1.00")]);
    expect(spend.byMonth).toEqual([{ key: "2025-04", cents: 1100 }]);
  });
});

describe("spendFromDashboard", () => {
  it("accepts the report shape and rejects anything else", () => {
    const spend = spendFromDashboard({
      currency: "CNY",
      by_category: [{ category: "meals", total: "12.00" }],
      by_month: [{ month: "2025-02", total: "2.00" }, { month: "2025-01", total: "10.00" }],
    });
    expect(spend?.byMonth.map((b) => b.key)).toEqual(["2025-01", "2025-02"]);
    expect(spendFromDashboard({ items: [] })).toBeNull();
    expect(spendFromDashboard(null)).toBeNull();
  });
});
