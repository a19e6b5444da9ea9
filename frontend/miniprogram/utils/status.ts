/** Labels and colours of document and claim states, shared by the pages. */
import { Lang, getLanguage, tOr } from './i18n';
import type { ClaimStatus, DocumentStatus } from './types';

/** CSS class suffix of a state tag (app.wxss: .tag-progress, .tag-ok, ...). */
export type Tone = 'progress' | 'ok' | 'warn' | 'error' | 'neutral';

/**
 * Terminal: extracted, needs_review, failed, infected, rejected. Unknown statuses count as
 * terminal too, so that a newer server never makes us poll forever.
 */
export function isTerminalStatus(status: string): boolean {
  return !['received', 'scanning', 'clean', 'processing'].includes(status);
}

export function documentStatusTone(status: string): Tone {
  switch (status) {
    case 'received':
    case 'scanning':
    case 'clean':
    case 'processing':
      return 'progress';
    case 'extracted':
    case 'split':
      return 'ok';
    case 'needs_review':
      return 'warn';
    case 'failed':
    case 'infected':
    case 'rejected':
      return 'error';
    default:
      return 'neutral';
  }
}

export function documentStatusLabel(status: DocumentStatus | string, lang: Lang = getLanguage()): string {
  return tOr(`status_${status}`, status, lang);
}

export function claimStatusTone(status: ClaimStatus | string): Tone {
  switch (status) {
    case 'draft':
      return 'neutral';
    case 'submitted':
    case 'manager_approved':
    case 'finance_approved':
    case 'exported':
      return 'progress';
    case 'paid':
      return 'ok';
    case 'returned':
      return 'warn';
    case 'rejected':
      return 'error';
    default:
      return 'neutral';
  }
}

export function claimStatusLabel(status: ClaimStatus | string, lang: Lang = getLanguage()): string {
  return tOr(`claim_status_${status}`, status, lang);
}

/** The employee can change and (re)submit a claim only while it is with them. */
export function isClaimEditable(status: ClaimStatus | string): boolean {
  return status === 'draft' || status === 'returned';
}
