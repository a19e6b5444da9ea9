import { LOGIN_PAGE, clearToken, errorMessage, fetchMe, isSignedIn, saveLanguage, signOut } from '../../utils/api';
import { canOverrideBaseUrl, getBaseUrl, setBaseUrlOverride } from '../../utils/config';
import { LANGUAGES, Lang, getLanguage, messages, setLanguage, t, tOr } from '../../utils/i18n';
import { refreshBadge } from '../../utils/badge';
import { InputEvent, applyTabBarLanguage, confirmModal, requireSignIn, setTitle } from '../../utils/page';

const NOTIFICATIONS_PAGE = '/pages/notifications/index';

Component({
  data: {
    L: messages(),
    lang: 'zh-CN' as Lang,
    name: '',
    username: '',
    roles: '',
    scanning: '',
    error: '',
    serverUrl: '',
    canEditServer: false,
    unread: 0,
  },

  methods: {
    onShow() {
      if (!requireSignIn()) return;
      this.refreshTexts();
      this.setData({ serverUrl: getBaseUrl(), canEditServer: canOverrideBaseUrl() });
      void refreshBadge().then((summary) => {
        if (summary) this.setData({ unread: summary.unread });
      });
      return this.load();
    },

    onNotifications() {
      wx.navigateTo({ url: NOTIFICATIONS_PAGE });
    },

    refreshTexts() {
      const lang = getLanguage();
      this.setData({ L: messages(lang), lang });
      setTitle('me_title');
      applyTabBarLanguage(lang);
    },

    async load() {
      try {
        const me = await fetchMe();
        // A language chosen on another device (saved on the server) is this one's too.
        const saved: Lang | null = me.language ? (me.language.startsWith('zh') ? 'zh-CN' : 'en') : null;
        if (saved && saved !== getLanguage()) {
          setLanguage(saved);
          this.refreshTexts();
        }
        this.setData({
          name: me.display_name || me.username,
          username: me.username,
          roles: me.roles.map((role) => tOr(`role_${role}`, role)).join(', '),
          scanning: me.scanning_available ? t('me_scanning_on') : t('me_scanning_off'),
          error: '',
        });
      } catch (err) {
        this.setData({ error: errorMessage(err) });
      }
    },

    onLanguage(e: { currentTarget: { dataset: { lang?: string } } }) {
      const lang = e.currentTarget.dataset.lang as Lang;
      if (!LANGUAGES.includes(lang)) return;
      setLanguage(lang);
      // The server's own messages follow the choice too (fire and forget: offline is fine).
      if (isSignedIn()) saveLanguage(lang).catch(() => undefined);
      this.refreshTexts();
      return this.load(); // role and scanning texts are translated too
    },

    onServerInput(e: InputEvent) {
      this.setData({ serverUrl: e.detail.value });
    },

    onServerSave() {
      const saved = setBaseUrlOverride(this.data.serverUrl);
      if (saved === null && this.data.serverUrl.trim() !== '') {
        this.setData({ error: t('login_server_invalid') });
        return;
      }
      // Another server means another account: sign in again there (the old server's token
      // is only forgotten; it expires there by itself).
      clearToken();
      wx.reLaunch({ url: LOGIN_PAGE });
    },

    async onSignOut() {
      if (!(await confirmModal(t('me_sign_out_confirm')))) return;
      // Not awaited: the token is already forgotten here; the server's revocation may take
      // as long as the network does.
      void signOut();
      wx.reLaunch({ url: LOGIN_PAGE });
    },
  },
});
