/**
 * What a reviewer must not miss about a document, as the server says it: which fields a
 * person changed (what the document was read as, who changed it, when), what the
 * expense policy will refuse at submit, whether its claim is locked, and whether it was
 * really virus-scanned.
 */
import { formatDateTime } from '../../utils/format';
import { Lang, getLanguage, t, tOr } from '../../utils/i18n';
import { documentAllows, type Tone } from '../../utils/status';
import type { DocumentDto, Extraction, FieldEditDto } from '../../utils/types';

const APPROVED = ['finance_approved', 'exported', 'paid'];

export function fieldEdit(extraction: Extraction | null | undefined, name: string): FieldEditDto | null {
  const edit = extraction?.edits?.[name];
  return edit && typeof edit === 'object' ? edit : null;
}

/** Lines under an edited field: the reading, who changed it and when, old warnings. */
export function evidenceLines(
  extraction: Extraction | null | undefined,
  name: string,
  lang: Lang = getLanguage(),
): string[] {
  const edit = fieldEdit(extraction, name);
  if (!edit) return [];
  const lines: string[] = [];
  if (edit.made_up) lines.push(t('evidence_made_up', undefined, lang));
  else {
    if (edit.cleared) lines.push(t('evidence_cleared', undefined, lang));
    const value = edit.original === null || edit.original === undefined || edit.original === ''
      ? t('none', undefined, lang)
      : String(edit.original);
    const source = edit.original_source ? tOr(`source_${edit.original_source}`, edit.original_source, lang) : '';
    lines.push(
      source
        ? t('evidence_original_from', { value, source }, lang)
        : t('evidence_original', { value }, lang),
    );
  }
  lines.push(t('evidence_by', { name: edit.edited_by ?? '—', when: formatDateTime(edit.edited_at) }, lang));
  for (const w of edit.original_warnings ?? []) {
    lines.push(t('evidence_old_warning', { message: w.message }, lang));
  }
  return lines;
}

/** What the expense policy will refuse at submit, checked on the current values. */
export function policyLines(doc: DocumentDto): string[] {
  return (doc.policy ?? []).map((p) => p.message);
}

/** Whether this user may change the fields now (the server's "edit" action). */
export function mayEdit(doc: DocumentDto): boolean {
  return documentAllows(doc, 'edit');
}

/** A "needs review" whose claim finance approved has been reviewed: "checked". */
export function shownStatus(doc: DocumentDto): { status: string; tone: Tone | null } {
  if (doc.status === 'needs_review' && doc.claim_status && APPROVED.includes(doc.claim_status)) {
    return { status: 'checked', tone: 'ok' };
  }
  if (doc.status === 'extracted' && (doc.policy ?? []).length) return { status: doc.status, tone: 'warn' };
  return { status: doc.status, tone: null };
}

/** A note when the scan verdict is not a real "clean" (no scanner configured, too large). */
export function scanNote(doc: DocumentDto, lang: Lang = getLanguage()): string {
  const verdict = doc.scan?.verdict;
  if (verdict === 'not_scanned') return t('scan_not_scanned', undefined, lang);
  if (verdict === 'too_large') return t('scan_too_large', undefined, lang);
  return '';
}
