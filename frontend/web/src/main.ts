import { createApp } from "vue";
import App from "./App.vue";
import { api, loginUrl } from "./lib/api";
import { refreshCounts } from "./lib/counts";
import { ApiError } from "./lib/errors";
import { i18n, initLocale, localeFromServer, setLocale } from "./lib/i18n";
import { session } from "./lib/session";
import { router } from "./router";
import "./style.css";

async function start(): Promise<void> {
  initLocale();
  try {
    session.me = await api.me();
    // A language chosen on any device (saved on the server) wins over this browser's.
    const saved = localeFromServer(session.me.language);
    if (saved && saved !== i18n.locale) setLocale(saved);
    if (!session.me.scanning_available) session.scanningUnavailable = true;
  } catch (err) {
    // Signed out (expired session): request() already sent the browser to /login/.
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      window.location.assign(loginUrl(window.location.hash));
      return;
    }
    throw err;
  }
  // Before the first route: "/" sends a reviewer with claims waiting to the queue.
  await refreshCounts();
  createApp(App).use(router).mount("#app");
}

void start().catch((err) => {
  const box = document.getElementById("app");
  if (box) box.textContent = `Invoice Assistant could not start: ${String(err)}`;
});
