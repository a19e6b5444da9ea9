import {
  errorMessage,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from '../../utils/api';
import { applyBadge, refreshBadge } from '../../utils/badge';
import { messages, t } from '../../utils/i18n';
import { DatasetEvent, requireSignIn, setTitle } from '../../utils/page';
import { NotificationRow, notificationRow, pageUrl } from './logic';

Component({
  data: {
    L: messages(),
    rows: [] as NotificationRow[],
    unread: 0,
    templateId: '',
    loaded: false,
    error: '',
  },

  methods: {
    onShow() {
      if (!requireSignIn()) return;
      this.setData({ L: messages() });
      setTitle('notif_title');
      return this.load();
    },

    onPullDownRefresh() {
      return this.load().finally(() => wx.stopPullDownRefresh());
    },

    async load() {
      try {
        const [page, summary] = await Promise.all([listNotifications(1), refreshBadge()]);
        this.setData({
          rows: page.results.map(notificationRow),
          unread: summary ? summary.unread : page.results.filter((n) => n.unread).length,
          templateId: summary?.wechat_template_id ?? '',
          loaded: true,
          error: '',
        });
      } catch (err) {
        this.setData({ error: errorMessage(err), loaded: true });
      }
    },

    async onOpen(e: DatasetEvent) {
      const id = Number(e.currentTarget.dataset.id);
      const row = this.data.rows.find((r) => r.id === id);
      if (!row) return;
      if (row.unread) {
        try {
          await markNotificationRead(id);
          const unread = Math.max(0, this.data.unread - 1);
          this.setData({
            rows: this.data.rows.map((r) => (r.id === id ? { ...r, unread: false } : r)),
            unread,
          });
          applyBadge(unread);
        } catch (err) {
          this.setData({ error: errorMessage(err) });
          return;
        }
      }
      wx.navigateTo({ url: pageUrl(row.page) });
    },

    async onMarkAll() {
      try {
        await markAllNotificationsRead();
        this.setData({ rows: this.data.rows.map((r) => ({ ...r, unread: false })), unread: 0 });
        applyBadge(0);
      } catch (err) {
        this.setData({ error: errorMessage(err) });
      }
    },

    /** WeChat sends a subscribe message only after the user accepted its template here. */
    onSubscribe() {
      const id = this.data.templateId;
      if (!id) return;
      wx.requestSubscribeMessage({
        tmplIds: [id],
        success: (res: Record<string, string>) => {
          const accepted = res[id] === 'accept';
          wx.showToast({ title: t(accepted ? 'notif_subscribed' : 'notif_not_subscribed'), icon: 'none' });
        },
      });
    },
  },
});
