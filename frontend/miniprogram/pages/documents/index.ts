import { errorMessage, listDocuments } from '../../utils/api';
import { refreshBadge } from '../../utils/badge';
import { messages } from '../../utils/i18n';
import {
  DOCUMENT_PAGE,
  DatasetEvent,
  UPLOAD_PAGE,
  applyTabBarLanguage,
  requireSignIn,
  setTitle,
} from '../../utils/page';
import { DocumentRow, documentRow, mergeRows } from './logic';

Component({
  data: {
    L: messages(),
    rows: [] as DocumentRow[],
    page: 0,
    hasMore: true,
    loading: false,
    loaded: false,
    error: '',
  },

  methods: {
    onShow() {
      if (!requireSignIn()) return;
      this.setData({ L: messages() });
      setTitle('docs_title');
      applyTabBarLanguage();
      void refreshBadge();
      // Statuses move on while the user is elsewhere: reload from the first page.
      return this.load(1);
    },

    onPullDownRefresh() {
      return this.load(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.hasMore && !this.data.loading) return this.load(this.data.page + 1);
      return undefined;
    },

    async load(page: number) {
      this.setData({ loading: true });
      try {
        const result = await listDocuments(page);
        const rows = result.results.map((doc) => documentRow(doc));
        this.setData({
          rows: page === 1 ? rows : mergeRows(this.data.rows, rows),
          page,
          hasMore: !!result.next,
          loading: false,
          loaded: true,
          error: '',
        });
      } catch (err) {
        this.setData({ loading: false, loaded: true, error: errorMessage(err) });
      }
    },

    onUpload() {
      wx.navigateTo({ url: UPLOAD_PAGE });
    },

    onOpen(e: DatasetEvent<{ id?: number | string }>) {
      const id = Number(e.currentTarget.dataset.id);
      if (id > 0) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${id}` });
    },
  },
});
