/**
 * Labels and tones of document and claim states, shared by the pages. They come from the
 * vocabulary shared with the web app (utils/vocabulary.ts, a copy of
 * frontend/shared/vocabulary.ts). Whether a document or claim is finished (is_terminal)
 * and what the user may do with it (allowed_actions) are the server's answers.
 */
import { Lang, getLanguage } from './i18n';
import type { ClaimAction, DocumentAction } from './types';
import { CLAIM_STATUS, DOCUMENT_STATUS, Tone, labelOf, toneOf } from './vocabulary';

/** CSS class suffix of a state tag (app.wxss: .tag-busy, .tag-ok, ...). */
export type { Tone } from './vocabulary';

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

/** Whether the server lets this user take the action now: show its button exactly then. */
export function claimAllows(claim: { allowed_actions: readonly ClaimAction[] }, action: ClaimAction): boolean {
  return claim.allowed_actions.includes(action);
}

export function documentAllows(
  doc: { allowed_actions: readonly DocumentAction[] },
  action: DocumentAction,
): boolean {
  return doc.allowed_actions.includes(action);
}
