/** The claims list and the "new claim" form. */
import { formatDateTime, formatMoney } from '../../utils/format';
import { Lang, getLanguage, t } from '../../utils/i18n';
import { Tone, claimStatusLabel, claimStatusTone } from '../../utils/status';
import type { ClaimDto } from '../../utils/types';

/** Currencies offered when creating a claim; CNY first, the usual case. */
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP', 'SGD', 'MYR'];
export const TITLE_MAX_LENGTH = 200;

export interface ClaimRow {
  id: number;
  title: string;
  total: string;
  count: string;
  date: string;
  statusLabel: string;
  tone: Tone;
}

export function claimRow(claim: ClaimDto, lang: Lang = getLanguage()): ClaimRow {
  return {
    id: claim.id,
    title: claim.title,
    total: formatMoney(claim.total, claim.currency),
    count: t('claims_docs_count', { n: claim.documents.length }, lang),
    date: formatDateTime(claim.created_at),
    statusLabel: claimStatusLabel(claim.status, lang),
    tone: claimStatusTone(claim.status),
  };
}

export type NewClaimCheck =
  | { ok: true; input: { title: string; currency: string } }
  | { ok: false; message: string };

export function checkNewClaim(title: string, currency: string, lang: Lang = getLanguage()): NewClaimCheck {
  const clean = title.trim();
  if (!clean) return { ok: false, message: t('claims_title_required', undefined, lang) };
  if (clean.length > TITLE_MAX_LENGTH) {
    return { ok: false, message: t('claims_title_too_long', { max: TITLE_MAX_LENGTH }, lang) };
  }
  const code = CURRENCIES.includes(currency) ? currency : CURRENCIES[0];
  return { ok: true, input: { title: clean, currency: code } };
}
