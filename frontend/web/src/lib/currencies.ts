// Currency pickers: the common currencies of our users first, then every other ISO code.

export const COMMON_CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "MYR", "SGD"];

export function currencyChoices(all: readonly string[]): string[] {
  const rest = [...all].filter((code) => !COMMON_CURRENCIES.includes(code)).sort();
  return [...COMMON_CURRENCIES, ...rest];
}
