/** The documents list: one row per document, pages merged as the user scrolls. */
import { formatDateTime, formatMoney } from '../../utils/format';
import { Lang, getLanguage, t } from '../../utils/i18n';
import { Tone, documentStatusLabel, documentStatusTone } from '../../utils/status';
import type { DocumentDto } from '../../utils/types';

export interface DocumentRow {
  id: number;
  title: string;
  subtitle: string;
  amount: string;
  statusLabel: string;
  tone: Tone;
  moving: boolean;
  duplicate: string;
}

export function documentRow(doc: DocumentDto, lang: Lang = getLanguage()): DocumentRow {
  const fields = doc.extraction?.fields;
  const seller = fields?.seller_name ?? '';
  const date = fields?.issue_date ?? formatDateTime(doc.created_at);
  return {
    id: doc.id,
    title: seller || doc.original_filename || `#${doc.id}`,
    subtitle: date,
    amount: fields?.total_amount ? formatMoney(fields.total_amount, fields.currency ?? 'CNY') : '',
    statusLabel: documentStatusLabel(doc.status, lang),
    tone: documentStatusTone(doc.status),
    moving: !doc.is_terminal,
    duplicate: doc.duplicate_of ? t('docs_duplicate', undefined, lang) : '',
  };
}

/** Appends a page, replacing rows the list already has (a new upload shifts the pages). */
export function mergeRows<T extends { id: number }>(existing: T[], incoming: T[]): T[] {
  const fresh = new Map(incoming.map((row) => [row.id, row]));
  const kept = existing.map((row) => fresh.get(row.id) ?? row);
  const known = new Set(existing.map((row) => row.id));
  return kept.concat(incoming.filter((row) => !known.has(row.id)));
}
