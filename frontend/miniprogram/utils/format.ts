/**
 * Display formatting. Money arrives as decimal strings ("1234.50") and is formatted
 * as text, never through floating point, so what the user sees is what the server stored.
 */

const CURRENCY_SYMBOLS: Record<string, string> = {
  CNY: '¥',
  USD: '$',
  EUR: '€',
  GBP: '£',
  HKD: 'HK$',
  JPY: 'JP¥',
  MYR: 'RM',
  SGD: 'S$',
};

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * "1234.5" + "CNY" -> "¥1,234.50". Values that are not plain decimals are shown as given
 * (better to show the server's text than to hide it); null/empty -> "—".
 */
export function formatMoney(
  value: string | number | null | undefined,
  currency?: string | null,
): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL_RE.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  const cents = fraction.length >= 2 ? fraction : fraction.padEnd(2, '0');
  const amount = `${sign}${groupThousands(whole.replace(/^0+(?=\d)/, ''))}.${cents}`;
  if (!currency) return amount;
  const code = currency.toUpperCase();
  const symbol = CURRENCY_SYMBOLS[code];
  return symbol ? `${sign}${symbol}${amount.slice(sign.length)}` : `${code} ${amount}`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** An ISO timestamp in the phone's local time: "2024-03-05 14:07". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}`
  );
}

/** 0.873 -> "87%"; out-of-range or missing values -> "". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '';
  const clamped = Math.min(1, Math.max(0, ratio));
  return `${Math.round(clamped * 100)}%`;
}
