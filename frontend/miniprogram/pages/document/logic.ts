/** Document detail: the pipeline state, extracted fields with warnings, and field edits. */
import { ApiError } from '../../utils/api';
import { POLL_INTERVAL_MS } from '../../utils/config';
import { formatMoney, formatPercent } from '../../utils/format';
import { Lang, getLanguage, t, tOr } from '../../utils/i18n';
import { Tone, documentStatusLabel, documentStatusTone } from '../../utils/status';
import type { DocumentDto, Extraction, InvoiceFields, LineItem } from '../../utils/types';
import { FIELD, LOW_CONFIDENCE, labelOf } from '../../utils/vocabulary';

export const FIELD_ORDER = [
  'invoice_code',
  'invoice_number',
  'issue_date',
  'seller_name',
  'seller_tax_id',
  'buyer_name',
  'buyer_tax_id',
  'amount_excluding_tax',
  'tax_amount',
  'total_amount',
  'total_in_words',
  'check_code',
  'currency',
] as const;

export type FieldName = (typeof FIELD_ORDER)[number];

export const MONEY_FIELDS: readonly string[] = ['amount_excluding_tax', 'tax_amount', 'total_amount'];
const MAX_TEXT_LENGTH = 200;

export function isFieldName(name: string): name is FieldName {
  return (FIELD_ORDER as readonly string[]).includes(name);
}

// ---- the pipeline, as steps the user can follow ---------------------------------------

export type StepState = 'done' | 'current' | 'todo' | 'error';

export interface Step {
  key: string;
  label: string;
  state: StepState;
}

const STEP_KEYS = ['received', 'scanning', 'processing', 'result'] as const;

/** Which step a status stands at, and whether that step failed; terminal is the server's
 * is_terminal, which places a status this app does not know yet. */
function stepPosition(status: string, terminal: boolean): { index: number; failed: boolean } {
  switch (status) {
    case 'received':
      return { index: 0, failed: false };
    case 'scanning':
      return { index: 1, failed: false };
    case 'infected':
    case 'rejected':
      return { index: 1, failed: true };
    case 'clean':
    case 'processing':
      return { index: 2, failed: false };
    case 'failed':
      return { index: 2, failed: true };
    case 'extracted':
    case 'needs_review':
    case 'split':
      return { index: 3, failed: false };
    default:
      return { index: terminal ? 3 : 0, failed: false };
  }
}

export function pipelineSteps(status: string, terminal: boolean, lang: Lang = getLanguage()): Step[] {
  const { index, failed } = stepPosition(status, terminal);
  const finished = index === 3;
  return STEP_KEYS.map((key, i) => {
    let state: StepState;
    if (i < index || (finished && i === index)) state = 'done';
    else if (i === index) state = failed ? 'error' : 'current';
    else state = 'todo';
    return { key, label: t(`doc_step_${key}`, undefined, lang), state };
  });
}

export interface StatusView {
  status: string;
  label: string;
  tone: Tone;
  terminal: boolean;
  steps: Step[];
}

/** terminal: the server's is_terminal for the document (polling stops there). */
export function statusView(status: string, terminal: boolean, lang: Lang = getLanguage()): StatusView {
  return {
    status,
    label: documentStatusLabel(status, lang),
    tone: documentStatusTone(status),
    terminal,
    steps: pipelineSteps(status, terminal, lang),
  };
}

/** The employee's place in line while the document waits for a worker ('' otherwise). */
export function queueLabel(position: number | null | undefined, lang: Lang = getLanguage()): string {
  if (position === null || position === undefined) return '';
  return position > 0 ? t('doc_queue_ahead', { n: position }, lang) : t('doc_queue_next', undefined, lang);
}

/** A photo found to show several documents: what to say and a row per part (reading
 * order); for a part, which document of the photo it is. */
export interface PartsView {
  partsLabel: string;
  parts: Array<{ id: number; label: string; status: string }>;
  partOfLabel: string;
}

export function partsView(doc: DocumentDto, lang: Lang = getLanguage()): PartsView {
  const parts = doc.status === 'split' ? [...(doc.parts ?? [])] : [];
  parts.sort((a, b) => a.part_index - b.part_index);
  return {
    partsLabel: parts.length ? t('doc_parts_found', { n: parts.length }, lang) : '',
    parts: parts.map((p) => ({
      id: p.id,
      label: t('doc_part_item', { i: p.part_index }, lang),
      status: documentStatusLabel(p.status, lang),
    })),
    partOfLabel: doc.parent ? t('doc_part_of', { i: doc.part_index ?? 1 }, lang) : '',
  };
}

// ---- fields ------------------------------------------------------------------------------

export interface FieldRow {
  name: FieldName;
  label: string;
  /** What is shown ("¥1,234.50"). */
  display: string;
  /** What the edit box starts with ("1234.50"). */
  raw: string;
  confidence: string;
  lowConfidence: boolean;
  warnings: string[];
  inputType: 'digit' | 'text';
  /** 'verified' | 'read' | 'edited', or '' when the server sent no status for it. */
  provenance: string;
  /** "已核验" / "Verified". */
  provenanceLabel: string;
  /** "来源：二维码" / "Source: QR code", shown when the marker is tapped. */
  sourceLabel: string;
}

const PROVENANCE_STATUSES: readonly string[] = ['verified', 'read', 'edited'];

/** The marker of one field, as the server computed it (the client only labels it). */
export function fieldProvenance(
  extraction: Extraction,
  name: string,
  lang: Lang = getLanguage(),
): Pick<FieldRow, 'provenance' | 'provenanceLabel' | 'sourceLabel'> {
  const status = extraction.status?.[name];
  if (!status || !PROVENANCE_STATUSES.includes(status)) {
    return { provenance: '', provenanceLabel: '', sourceLabel: '' };
  }
  const source = extraction.sources?.[name];
  const shown = source ? tOr(`source_${source}`, source, lang) : t('none', undefined, lang);
  return {
    provenance: status,
    provenanceLabel: tOr(`prov_${status}`, status, lang),
    sourceLabel: t('prov_from', { source: shown }, lang),
  };
}

function fieldValue(fields: InvoiceFields, name: FieldName): string {
  const value = fields[name];
  return value === null || value === undefined ? '' : String(value);
}

export function fieldRows(extraction: Extraction, lang: Lang = getLanguage()): FieldRow[] {
  const fields = extraction.fields ?? {};
  const currency = fields.currency ?? null;
  return FIELD_ORDER.map((name) => {
    const raw = fieldValue(fields, name);
    const confidence = extraction.confidence?.[name];
    const isMoney = MONEY_FIELDS.includes(name);
    return {
      name,
      label: labelOf(FIELD, name, lang),
      display: raw === '' ? t('none', undefined, lang) : isMoney ? formatMoney(raw, currency) : raw,
      raw,
      confidence:
        raw !== '' && typeof confidence === 'number'
          ? t('doc_confidence', { pct: formatPercent(confidence) }, lang)
          : '',
      lowConfidence: raw !== '' && typeof confidence === 'number' && confidence < LOW_CONFIDENCE,
      warnings: (extraction.warnings ?? [])
        .filter((w) => w.field === name)
        .map((w) => w.message),
      inputType: isMoney ? 'digit' : 'text',
      ...fieldProvenance(extraction, name, lang),
    };
  });
}

/** Why the document waits for a person, as sentences (the server's review reasons). */
export function reviewReasons(extraction: Extraction, lang: Lang = getLanguage()): string[] {
  const label = (name: string): string => labelOf(FIELD, name, lang);
  const out: string[] = [];
  for (const reason of extraction.review_reasons ?? []) {
    const cut = reason.indexOf(':');
    const kind = cut < 0 ? reason : reason.slice(0, cut);
    const detail = cut < 0 ? '' : reason.slice(cut + 1);
    if (kind === 'duplicate') out.push(t('review_reason_duplicate', undefined, lang));
    else if (kind === 'missing') out.push(t('review_reason_missing', { field: label(detail) }, lang));
    else if (kind === 'unverified' || kind === 'unsure') {
      out.push(t('review_reason_unverified', { field: label(detail) }, lang));
    } else if (kind === 'warning') {
      const warning = (extraction.warnings ?? []).find((w) => w.code === detail);
      const message = warning?.message ?? detail;
      out.push(
        warning?.field
          ? t('review_reason_warning_on', { field: label(warning.field), message }, lang)
          : t('review_reason_warning', { message }, lang),
      );
    } else out.push(reason);
  }
  return out;
}

/** Warnings about the document as a whole, or about fields the page does not list. */
export function documentWarnings(extraction: Extraction): string[] {
  return (extraction.warnings ?? [])
    .filter((w) => !w.field || !isFieldName(w.field))
    .map((w) => w.message);
}

export interface LineItemRow {
  name: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  taxRate: string;
  taxAmount: string;
}

export function lineItemRows(items: LineItem[] | undefined): LineItemRow[] {
  return (items ?? []).map((item) => ({
    name: item.name ?? '',
    quantity: item.quantity ?? '',
    unitPrice: item.unit_price ?? '',
    amount: formatMoney(item.amount),
    taxRate: item.tax_rate ?? '',
    taxAmount: formatMoney(item.tax_amount),
  }));
}

export function documentTypeLabel(type: string | undefined, lang: Lang = getLanguage()): string {
  return type ? tOr(`doctype_${type}`, type, lang) : '';
}

// ---- editing -------------------------------------------------------------------------------

/** Cleans what people type: "¥1,234.5 " -> "1234.5", " cny" -> "CNY"; empty -> null (clear). */
export function normalizeFieldInput(name: string, input: string): string | null {
  let value = input.trim();
  if (MONEY_FIELDS.includes(name)) value = value.replace(/[¥￥,，\s]/g, '');
  if (name === 'currency') value = value.toUpperCase();
  if (name === 'issue_date') value = value.replace(/[/.年月]/g, '-').replace(/日$/, '');
  return value === '' ? null : value;
}

function isValidDate(value: string): boolean {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function padDate(value: string): string {
  const [y, m, d] = value.split('-');
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export type EditCheck = { ok: true; value: string | null } | { ok: false; message: string };

/** Catches obvious typos before a round trip; the server still has the last word. */
export function checkFieldEdit(name: string, input: string, lang: Lang = getLanguage()): EditCheck {
  const value = normalizeFieldInput(name, input);
  if (value === null) return { ok: true, value: null };
  if (MONEY_FIELDS.includes(name) && !/^-?\d+(\.\d{1,2})?$/.test(value)) {
    return { ok: false, message: t('doc_field_invalid_money', undefined, lang) };
  }
  if (name === 'issue_date') {
    if (!isValidDate(value)) return { ok: false, message: t('doc_field_invalid_date', undefined, lang) };
    return { ok: true, value: padDate(value) };
  }
  if (name === 'currency' && !/^[A-Z]{3}$/.test(value)) {
    return { ok: false, message: t('doc_field_invalid_currency', undefined, lang) };
  }
  if (value.length > MAX_TEXT_LENGTH) {
    return { ok: false, message: t('doc_field_too_long', { max: MAX_TEXT_LENGTH }, lang) };
  }
  return { ok: true, value };
}

// ---- polling -------------------------------------------------------------------------------

export interface PollerOptions {
  load: () => Promise<DocumentDto>;
  onUpdate: (doc: DocumentDto) => void;
  onError?: (err: unknown) => void;
  intervalMs?: number;
}

/**
 * Re-reads the document every 2 s until it reaches a terminal state. A failed read is
 * retried at the next tick (the phone may just have lost signal), except when retrying
 * cannot help (signed out, gone, forbidden).
 */
export class DocumentPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private generation = 0;
  private readonly intervalMs: number;

  constructor(private readonly options: PollerOptions) {
    this.intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Loads now, then keeps polling while the document is not terminal. */
  start(): void {
    this.stop();
    this.running = true;
    const generation = ++this.generation;
    void this.tick(generation);
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(generation: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick(generation);
    }, this.intervalMs);
  }

  private async tick(generation: number): Promise<void> {
    try {
      const doc = await this.options.load();
      if (generation !== this.generation) return;
      this.options.onUpdate(doc);
      if (doc.is_terminal) {
        this.running = false;
        return;
      }
    } catch (err) {
      if (generation !== this.generation) return;
      this.options.onError?.(err);
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
        this.running = false;
        return;
      }
    }
    this.schedule(generation);
  }
}
