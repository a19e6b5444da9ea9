// Turns any thrown value into one line a person can act on, in their language.

import { errorMessageKey } from "./errors";
import { t } from "./i18n";

export function describeError(err: unknown): string {
  const key = errorMessageKey(err);
  if (key) return t(key);
  return err instanceof Error ? err.message : String(err);
}
