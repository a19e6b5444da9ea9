/** Claim detail: its documents, the status timeline and what the employee may do next. */
import { formatDateTime, formatMoney } from '../../utils/format';
import { Lang, getLanguage, t } from '../../utils/i18n';
import { Tone, claimAllows, claimStatusLabel, claimStatusTone } from '../../utils/status';
import type { ClaimDto, ClaimEvent, ConversionDto, DocumentDto } from '../../utils/types';
import { CLAIM_EVENT, labelOf, toneOf } from '../../utils/vocabulary';

export interface TimelineEntry {
  key: string;
  title: string;
  meta: string;
  comment: string;
  tone: Tone;
  latest: boolean;
}

/** The server names a claim's events "claim.<step>" ("claim.returned"), as the shared
 * vocabulary keys them; a bare step is read the same way. */
function eventName(action: string): string {
  return action.startsWith('claim.') ? action : `claim.${action}`;
}

function eventTitle(action: string, lang: Lang): string {
  const name = eventName(action);
  return name in CLAIM_EVENT ? labelOf(CLAIM_EVENT, name, lang) : action;
}

/** Oldest first, the way a claim travels; the latest step is marked. */
export function buildTimeline(events: ClaimEvent[], lang: Lang = getLanguage()): TimelineEntry[] {
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => {
      const diff = Date.parse(a.event.created_at) - Date.parse(b.event.created_at);
      return diff !== 0 && !Number.isNaN(diff) ? diff : a.index - b.index;
    });
  return sorted.map(({ event, index }, position) => ({
    key: `e${index}`,
    title: eventTitle(event.action, lang),
    meta: [event.actor, formatDateTime(event.created_at)].filter(Boolean).join(' · '),
    comment: event.comment ?? '',
    tone: toneOf(CLAIM_EVENT, eventName(event.action)),
    latest: position === sorted.length - 1,
  }));
}

/** Why a returned claim came back, for the top of the page: the latest return's reason
 * and who gave it ('' unless the claim is returned now). */
export function returnNote(claim: ClaimDto, lang: Lang = getLanguage()): string {
  if (claim.status !== 'returned') return '';
  const returns = (claim.events ?? [])
    .filter((event) => eventName(event.action) === 'claim.returned')
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const last = returns[returns.length - 1];
  if (!last) return '';
  const actor = last.actor ?? '';
  return last.comment
    ? t('claim_returned_because', { actor, comment: last.comment }, lang)
    : t('claim_returned_no_reason', { actor }, lang);
}

/** What the page shows and offers; each offer is an action the server lists for this user. */
export interface ClaimView {
  title: string;
  statusLabel: string;
  tone: Tone;
  total: string;
  canAdd: boolean;
  canRemove: boolean;
  canMove: boolean;
  /** The submit button shows; it is enabled once the claim holds a document. */
  showSubmit: boolean;
  canSubmit: boolean;
  canDelete: boolean;
}

export function claimView(claim: ClaimDto, lang: Lang = getLanguage()): ClaimView {
  const showSubmit = claimAllows(claim, 'submit');
  return {
    title: claim.title,
    statusLabel: claimStatusLabel(claim.status, lang),
    tone: claimStatusTone(claim.status),
    total: formatMoney(claim.total, claim.currency),
    canAdd: claimAllows(claim, 'add_documents'),
    canRemove: claimAllows(claim, 'remove_document'),
    canMove: claimAllows(claim, 'move_document'),
    showSubmit,
    canSubmit: showSubmit && claim.documents.length > 0,
    canDelete: claimAllows(claim, 'delete'),
  };
}

/** Documents that can still go into a claim: not in one, and not refused by the checks. */
export function addableDocuments(docs: DocumentDto[]): DocumentDto[] {
  return docs.filter((doc) => doc.claim === null && doc.status !== 'infected' && doc.status !== 'rejected');
}

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Runs `fn` over `items`, at most `limit` at once, results in input order. */
export async function mapWithLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { ok: true, value: await fn(items[index]) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, () => worker());
  await Promise.all(workers);
  return results;
}

export interface ConversionLine {
  key: string;
  text: string;
  missing: boolean;
}

/** How each document in another currency counts in the claim total (or why it does not). */
export function conversionLines(
  conversions: ConversionDto[] | undefined,
  lang: Lang = getLanguage(),
): ConversionLine[] {
  return (conversions ?? [])
    .filter((c) => c.currency !== c.claim_currency)
    .map((c) => {
      const amount = formatMoney(c.amount ?? '', c.currency);
      const text = c.missing_rate
        ? t('claim_no_rate', { amount, from: c.currency, to: c.claim_currency }, lang)
        : t(
            'claim_rate_line',
            {
              amount,
              rate: c.rate ?? '',
              date: c.rate_date ?? '',
              source: c.rate_source ?? '',
              converted: formatMoney(c.converted_amount ?? '', c.claim_currency),
            },
            lang,
          );
      return { key: `c${c.document}`, text, missing: c.missing_rate };
    });
}

/** Where a document of this claim can move: the user's other claims that take documents
 * now (an action sheet holds six). */
export function moveTargets(claims: ClaimDto[], currentId: number): ClaimDto[] {
  return claims.filter((c) => c.id !== currentId && claimAllows(c, 'add_documents')).slice(0, 6);
}
