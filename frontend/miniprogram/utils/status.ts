/**
 * Labels and tones of document and claim states, shared by the pages. They come from the
 * vocabulary shared with the web app (utils/vocabulary.ts, a copy of
 * frontend/shared/vocabulary.ts).
 */
import { Lang, getLanguage } from './i18n';
import { CLAIM_STATUS, DOCUMENT_STATUS, Tone, labelOf, toneOf } from './vocabulary';

/** CSS class suffix of a state tag (app.wxss: .tag-busy, .tag-ok, ...). */
export type { Tone } from './vocabulary';

/**
 * Terminal: extracted, needs_review, failed, infected, rejected. Unknown statuses count as
 * terminal too, so that a newer server never makes us poll forever.
 */
export function isTerminalStatus(status: string): boolean {
  return !['received', 'scanning', 'clean', 'processing'].includes(status);
}

export function documentStatusTone(status: string): Tone {
  return toneOf(DOCUMENT_STATUS, status);
}

export function documentStatusLabel(status: string, lang: Lang = getLanguage()): string {
  return labelOf(DOCUMENT_STATUS, status, lang);
}

export function claimStatusTone(status: string): Tone {
  return toneOf(CLAIM_STATUS, status);
}

export function claimStatusLabel(status: string, lang: Lang = getLanguage()): string {
  return labelOf(CLAIM_STATUS, status, lang);
}

/** The employee can change and (re)submit a claim only while it is with them. */
export function isClaimEditable(status: string): boolean {
  return status === 'draft' || status === 'returned';
}
