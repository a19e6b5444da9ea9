import {
  addDocumentToClaim,
  deleteClaim,
  errorMessage,
  getClaim,
  getDocument,
  listClaims,
  listDocuments,
  moveDocumentToClaim,
  removeDocumentFromClaim,
  submitClaim,
} from '../../utils/api';
import { UPLOAD_CONCURRENCY } from '../../utils/config';
import { messages, t } from '../../utils/i18n';
import {
  DOCUMENT_PAGE,
  DatasetEvent,
  UPLOAD_PAGE,
  alertModal,
  confirmModal,
  parseId,
  requireSignIn,
  setTitle,
} from '../../utils/page';
import type { ClaimDto } from '../../utils/types';
import { DocumentRow, documentRow } from '../documents/logic';
import {
  ClaimView,
  ConversionLine,
  TimelineEntry,
  addableDocuments,
  buildTimeline,
  claimView,
  conversionLines,
  mapWithLimit,
  moveTargets,
  returnNote,
} from './logic';

Component({
  data: {
    L: messages(),
    id: 0,
    loaded: false,
    error: '',
    view: null as ClaimView | null,
    docRows: [] as DocumentRow[],
    conversions: [] as ConversionLine[],
    timeline: [] as TimelineEntry[],
    returnNote: '',
    submitting: false,
    submitError: '',
    picking: false,
    pickRows: [] as DocumentRow[],
    pickLoaded: false,
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      if (!requireSignIn()) return;
      this.setData({ L: messages(), id: parseId(query.id) ?? 0 });
      setTitle('claim_title');
    },

    onShow() {
      // Also runs when coming back from the upload page with new documents.
      if (this.data.id) return this.load();
      return undefined;
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      try {
        const claim = await getClaim(this.data.id);
        await this.show(claim);
      } catch (err) {
        this.setData({ loaded: true, error: errorMessage(err) });
      }
    },

    async show(claim: ClaimDto) {
      const docs = await mapWithLimit(claim.documents, UPLOAD_CONCURRENCY, (id) => getDocument(id));
      const docRows = docs.map((result, i) =>
        result.ok
          ? documentRow(result.value)
          : {
              id: claim.documents[i],
              title: `#${claim.documents[i]}`,
              subtitle: errorMessage(result.error),
              amount: '',
              statusLabel: '',
              tone: 'neutral' as const,
              moving: false,
              duplicate: '',
            },
      );
      this.setData({
        loaded: true,
        error: '',
        view: claimView(claim),
        conversions: conversionLines(claim.conversions),
        docRows,
        timeline: buildTimeline(claim.events ?? []),
        returnNote: returnNote(claim),
      });
    },

    async onSubmit() {
      const view = this.data.view;
      if (!view || !view.canSubmit || this.data.submitting) return;
      if (!(await confirmModal(t('claim_submit_confirm')))) return;
      this.setData({ submitting: true, submitError: '' });
      try {
        const claim = await submitClaim(this.data.id);
        this.setData({ submitting: false });
        wx.showToast({ title: t('claim_submitted'), icon: 'success' });
        await this.show(claim);
      } catch (err) {
        // 409 (wrong state) and 400 (e.g. a document still needs review) carry the reason.
        const message = errorMessage(err);
        this.setData({ submitting: false, submitError: message });
        alertModal(t('claim_submit_failed'), message);
      }
    },

    onUploadNew() {
      wx.navigateTo({ url: `${UPLOAD_PAGE}?claim=${this.data.id}` });
    },

    async onPickExisting() {
      this.setData({ picking: true, pickLoaded: false, pickRows: [] });
      try {
        const page = await listDocuments(1);
        this.setData({
          pickRows: addableDocuments(page.results).map((doc) => documentRow(doc)),
          pickLoaded: true,
        });
      } catch (err) {
        this.setData({ picking: false });
        wx.showToast({ title: errorMessage(err), icon: 'none' });
      }
    },

    onClosePicker() {
      this.setData({ picking: false });
    },

    async onPick(e: DatasetEvent<{ id?: number | string }>) {
      const documentId = Number(e.currentTarget.dataset.id);
      if (!(documentId > 0)) return;
      try {
        await addDocumentToClaim(this.data.id, documentId);
        this.setData({ picking: false });
        wx.showToast({ title: t('claim_added'), icon: 'success' });
        await this.load();
      } catch (err) {
        alertModal(t('claim_add_existing'), errorMessage(err));
      }
    },

    async onRemoveDocument(e: DatasetEvent<{ id?: number | string }>) {
      const documentId = Number(e.currentTarget.dataset.id);
      if (!(documentId > 0)) return;
      try {
        await removeDocumentFromClaim(this.data.id, documentId);
        wx.showToast({ title: t('claim_removed'), icon: 'success' });
        await this.load();
      } catch (err) {
        alertModal(t('claim_remove'), errorMessage(err));
      }
    },

    async onMoveDocument(e: DatasetEvent<{ id?: number | string }>) {
      const documentId = Number(e.currentTarget.dataset.id);
      if (!(documentId > 0)) return;
      try {
        const page = await listClaims();
        const targets = moveTargets(page.results, this.data.id);
        if (!targets.length) {
          wx.showToast({ title: t('claim_move_none'), icon: 'none' });
          return;
        }
        const choice = await new Promise<number>((resolve) => {
          wx.showActionSheet({
            itemList: targets.map((c) => c.title),
            success: (res) => resolve(res.tapIndex),
            fail: () => resolve(-1),
          });
        });
        const target = targets[choice];
        if (!target) return;
        await moveDocumentToClaim(this.data.id, documentId, target.id);
        wx.showToast({ title: t('claim_moved'), icon: 'success' });
        await this.load();
      } catch (err) {
        alertModal(t('claim_move'), errorMessage(err));
      }
    },

    async onDelete() {
      if (!(await confirmModal(t('claim_delete_confirm')))) return;
      try {
        await deleteClaim(this.data.id);
        wx.showToast({ title: t('claim_deleted'), icon: 'success' });
        wx.navigateBack({ delta: 1 });
      } catch (err) {
        alertModal(t('claim_delete'), errorMessage(err));
      }
    },

    onOpenDocument(e: DatasetEvent<{ id?: number | string }>) {
      const id = Number(e.currentTarget.dataset.id);
      if (id > 0) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${id}` });
    },
  },
});
