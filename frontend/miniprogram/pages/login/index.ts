import { consumeSessionExpired, isSignedIn } from '../../utils/api';
import {
  canOverrideBaseUrl,
  currentEnvVersion,
  getBaseUrl,
  setBaseUrlOverride,
} from '../../utils/config';
import { Lang, getLanguage, messages, setLanguage, t } from '../../utils/i18n';
import { DOCUMENTS_TAB, InputEvent } from '../../utils/page';
import { SignInOutcome, normalizeBindingCode, signInWithPassword, signInWithWechat } from './logic';

// Pages are built with Component() (a supported form) so they can be tested with
// miniprogram-simulate; page lifecycles such as onLoad live in `methods`.
Component({
  data: {
    L: messages(),
    lang: 'zh-CN' as Lang,
    busy: false,
    needsBinding: false,
    bindingCode: '',
    error: '',
    showDevLogin: false,
    username: '',
    password: '',
    serverUrl: '',
    canEditServer: false,
  },

  methods: {
    onLoad() {
      if (isSignedIn()) {
        this.goHome();
        return;
      }
      const env = currentEnvVersion();
      this.refreshTexts();
      this.setData({
        serverUrl: getBaseUrl(),
        canEditServer: canOverrideBaseUrl(env),
        showDevLogin: env === 'develop',
        error: consumeSessionExpired() ? t('error_session_expired') : '',
      });
    },

    refreshTexts() {
      const lang = getLanguage();
      this.setData({ L: messages(lang), lang });
      wx.setNavigationBarTitle({ title: t('login_title') });
    },

    onToggleLanguage() {
      setLanguage(this.data.lang === 'en' ? 'zh-CN' : 'en');
      this.refreshTexts();
    },

    onBindingInput(e: InputEvent) {
      this.setData({ bindingCode: e.detail.value });
    },

    onUsernameInput(e: InputEvent) {
      this.setData({ username: e.detail.value });
    },

    onPasswordInput(e: InputEvent) {
      this.setData({ password: e.detail.value });
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
      this.setData({ serverUrl: getBaseUrl(), error: '' });
      wx.showToast({ title: t('saved'), icon: 'success' });
    },

    async onWechatSignIn() {
      if (this.data.busy) return;
      if (this.data.needsBinding && !normalizeBindingCode(this.data.bindingCode)) {
        this.setData({ error: t('login_binding_empty') });
        return;
      }
      this.setData({ busy: true, error: '' });
      const outcome = await signInWithWechat(
        this.data.needsBinding ? this.data.bindingCode : undefined,
      );
      this.handleOutcome(outcome);
    },

    async onPasswordSignIn() {
      if (this.data.busy) return;
      this.setData({ busy: true, error: '' });
      const outcome = await signInWithPassword(this.data.username, this.data.password);
      this.handleOutcome(outcome);
    },

    handleOutcome(outcome: SignInOutcome) {
      if (outcome.kind === 'signed_in') {
        this.setData({ busy: false, password: '', bindingCode: '' });
        wx.showToast({ title: t('login_success'), icon: 'success' });
        this.goHome();
      } else if (outcome.kind === 'binding_required') {
        this.setData({ busy: false, needsBinding: true, error: '' });
      } else {
        this.setData({ busy: false, error: outcome.message });
      }
    },

    goHome() {
      wx.reLaunch({ url: DOCUMENTS_TAB });
    },
  },
});
