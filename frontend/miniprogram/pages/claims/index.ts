import { createClaim, errorMessage, listClaims } from '../../utils/api';
import { messages } from '../../utils/i18n';
import {
  CLAIM_PAGE,
  DatasetEvent,
  InputEvent,
  applyTabBarLanguage,
  requireSignIn,
  setTitle,
} from '../../utils/page';
import { mergeRows } from '../documents/logic';
import { CURRENCIES, ClaimRow, checkNewClaim, claimRow } from './logic';

Component({
  data: {
    L: messages(),
    rows: [] as ClaimRow[],
    page: 0,
    hasMore: true,
    loading: false,
    loaded: false,
    error: '',
    creating: false,
    newTitle: '',
    currencies: CURRENCIES,
    currencyIndex: 0,
    formError: '',
    saving: false,
  },

  methods: {
    onShow() {
      if (!requireSignIn()) return;
      this.setData({ L: messages() });
      setTitle('claims_title');
      applyTabBarLanguage();
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
        const result = await listClaims(page);
        const rows = result.results.map((claim) => claimRow(claim));
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

    onToggleForm() {
      this.setData({ creating: !this.data.creating, formError: '' });
    },

    onTitleInput(e: InputEvent) {
      this.setData({ newTitle: e.detail.value });
    },

    onCurrencyChange(e: InputEvent) {
      this.setData({ currencyIndex: Number(e.detail.value) || 0 });
    },

    async onCreate() {
      if (this.data.saving) return;
      const check = checkNewClaim(this.data.newTitle, CURRENCIES[this.data.currencyIndex]);
      if (!check.ok) {
        this.setData({ formError: check.message });
        return;
      }
      this.setData({ saving: true, formError: '' });
      try {
        const claim = await createClaim(check.input);
        this.setData({ saving: false, creating: false, newTitle: '' });
        wx.navigateTo({ url: `${CLAIM_PAGE}?id=${claim.id}` });
      } catch (err) {
        this.setData({ saving: false, formError: errorMessage(err) });
      }
    },

    onOpen(e: DatasetEvent<{ id?: number | string }>) {
      const id = Number(e.currentTarget.dataset.id);
      if (id > 0) wx.navigateTo({ url: `${CLAIM_PAGE}?id=${id}` });
    },
  },
});
