// Money as integer cents (never floats): totals of many invoices must add up exactly.

export function toCents(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim().replace(/[,\s¥￥]/g, "");
  const match = /^(-?)(\d+)(?:\.(\d{1,2})\d*)?$/.exec(text);
  if (!match) return null;
  const [, sign, whole, frac = ""] = match;
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return sign ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${whole}.${String(abs % 100).padStart(2, "0")}`;
}

export function formatMoney(value: unknown, currency?: string | null): string {
  const cents = toCents(value);
  if (cents === null) return value === null || value === undefined ? "—" : String(value);
  return currency ? `${currency} ${formatCents(cents)}` : formatCents(cents);
}
