import { downloadDocumentFile, errorMessage, getDocument, updateDocumentField } from '../../utils/api';
import { messages, t } from '../../utils/i18n';
import {
  CLAIM_PAGE,
  DOCUMENT_PAGE,
  DatasetEvent,
  InputEvent,
  parseId,
  requireSignIn,
  setTitle,
} from '../../utils/page';
import type { DocumentDto } from '../../utils/types';
import {
  DocumentPoller,
  FieldRow,
  LineItemRow,
  StatusView,
  checkFieldEdit,
  documentTypeLabel,
  documentWarnings,
  reviewReasons,
  fieldRows,
  lineItemRows,
  PartsView,
  partsView,
  queueLabel,
  statusView,
} from './logic';

import { evidenceLines, mayEdit, policyLines, scanNote, shownStatus } from './evidence';
import { documentStatusLabel } from '../../utils/status';

const pollers = new WeakMap<object, DocumentPoller>();

Component({
  data: {
    L: messages(),
    id: 0,
    loaded: false,
    doc: null as DocumentDto | null,
    view: null as StatusView | null,
    queueLabel: '',
    typeLabel: '',
    rows: [] as Array<FieldRow & { evidence: string[] }>,
    policy: [] as string[],
    editable: true,
    docWarnings: [] as string[],
    reasons: [] as string[],
    lineItems: [] as LineItemRow[],
    hasExtraction: false,
    notes: [] as string[],
    claimLabel: '',
    // A photo of several documents, or one of them.
    partsLabel: '',
    parts: [] as PartsView['parts'],
    partOfLabel: '',
    error: '',
    editing: '',
    // The field whose source is shown (tapping its marker; phones have no hover).
    sourceShown: '',
    editLabel: '',
    editValue: '',
    editError: '',
    saving: false,
    imagePath: '',
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      if (!requireSignIn()) return;
      const id = parseId(query.id);
      this.setData({ L: messages(), id: id ?? 0 });
      setTitle('doc_title');
      if (!id) return;
      const poller = new DocumentPoller({
        load: () => getDocument(id),
        onUpdate: (doc) => this.show(doc),
        onError: (err) => this.setData({ error: errorMessage(err) }),
      });
      pollers.set(this, poller);
      poller.start();
    },

    onShow() {
      // Coming back from the background: resume if the document was still moving.
      const poller = pollers.get(this);
      const view = this.data.view;
      if (poller && view && !view.terminal && !poller.isRunning) poller.start();
    },

    onHide() {
      pollers.get(this)?.stop();
    },

    onUnload() {
      pollers.get(this)?.stop();
    },

    onPullDownRefresh() {
      pollers.get(this)?.start();
      wx.stopPullDownRefresh();
    },

    show(doc: DocumentDto) {
      const extraction = doc.extraction;
      const notes: string[] = [];
      if (doc.duplicate_of) notes.push(t('doc_duplicate', { id: doc.duplicate_of }));
      if (doc.scan && doc.scan.verdict === 'infected') {
        notes.push(t('doc_infected', { signature: doc.scan.signature ?? '?' }));
      }
      const scanned = scanNote(doc);
      if (scanned) notes.push(scanned);
      const view = statusView(doc.status, doc.is_terminal);
      const shown = shownStatus(doc);
      if (shown.status !== doc.status) view.label = documentStatusLabel(shown.status);
      if (shown.tone) view.tone = shown.tone;
      if (scanned) view.steps = view.steps.map((s) => (s.key === 'scanning' ? { ...s, label: scanned } : s));
      this.setData({
        loaded: true,
        doc,
        error: '',
        view,
        policy: policyLines(doc),
        editable: mayEdit(doc),
        queueLabel: queueLabel(doc.queue_position),
        typeLabel: extraction ? documentTypeLabel(extraction.document_type) : '',
        rows: extraction
          ? fieldRows(extraction).map((row) => ({ ...row, evidence: evidenceLines(extraction, row.name) }))
          : [],
        docWarnings: extraction ? documentWarnings(extraction) : [],
        // Only while it waits for a person: once reviewed, the reasons are history.
        reasons: extraction && doc.status === 'needs_review' ? reviewReasons(extraction) : [],
        lineItems: extraction ? lineItemRows(extraction.fields.line_items) : [],
        hasExtraction: !!extraction,
        notes,
        claimLabel: doc.claim ? t('doc_claim', { id: doc.claim }) : '',
        ...partsView(doc),
      });
      if (!this.data.imagePath && doc.mime_type.startsWith('image/') && doc.status !== 'infected') {
        downloadDocumentFile(doc)
          .then((path) => this.setData({ imagePath: path }))
          .catch(() => undefined); // the fields are still useful without the picture
      }
    },

    onEditField(e: DatasetEvent<{ name?: string }>) {
      const row = this.data.rows.find((r) => r.name === e.currentTarget.dataset.name);
      if (!row || this.data.saving) return;
      if (!this.data.editable) {
        wx.showToast({ title: t('doc_locked'), icon: 'none' });
        return;
      }
      this.setData({ editing: row.name, editLabel: row.label, editValue: row.raw, editError: '' });
    },

    onShowSource(e: DatasetEvent<{ name?: string }>) {
      const name = e.currentTarget.dataset.name ?? '';
      this.setData({ sourceShown: this.data.sourceShown === name ? '' : name });
    },

    onEditInput(e: InputEvent) {
      this.setData({ editValue: e.detail.value });
    },

    onCancelEdit() {
      this.setData({ editing: '', editError: '' });
    },

    async onSaveField() {
      const { editing, editValue, id } = this.data;
      if (!editing || this.data.saving) return;
      const check = checkFieldEdit(editing, editValue);
      if (!check.ok) {
        this.setData({ editError: check.message });
        return;
      }
      this.setData({ saving: true, editError: '' });
      try {
        const doc = await updateDocumentField(id, editing, check.value);
        this.setData({ saving: false, editing: '' });
        this.show(doc);
        wx.showToast({ title: t('saved'), icon: 'success' });
      } catch (err) {
        this.setData({ saving: false, editError: errorMessage(err) });
      }
    },

    onPreviewImage() {
      if (this.data.imagePath) wx.previewImage({ urls: [this.data.imagePath] });
    },

    onOpenClaim() {
      const claim = this.data.doc?.claim;
      if (claim) wx.navigateTo({ url: `${CLAIM_PAGE}?id=${claim}` });
    },

    onOpenPart(e: DatasetEvent<{ id?: number | string }>) {
      const id = parseId(String(e.currentTarget.dataset.id ?? ''));
      if (id) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${id}` });
    },

    onOpenParent() {
      const parent = this.data.doc?.parent;
      if (parent) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${parent}` });
    },

    onOpenDuplicate() {
      const other = this.data.doc?.duplicate_of;
      if (other) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${other}` });
    },
  },
});
