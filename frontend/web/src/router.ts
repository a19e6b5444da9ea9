import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { homeRoute, meAllows, session } from "./lib/session";
import type { UserAction } from "./lib/types";

// A route only some users may open: meta.action is the /me allowed_action it needs (the
// server decides who has it).
function needs(action: UserAction, title: string): { action: UserAction; title: string } {
  return { action, title };
}

const routes: RouteRecordRaw[] = [
  { path: "/", redirect: () => homeRoute(session.me) },
  { path: "/upload", component: () => import("./views/UploadView.vue"), meta: { title: "nav.upload" } },
  { path: "/documents/:id(\\d+)", component: () => import("./views/DocumentView.vue"), meta: { title: "nav.document" } },
  { path: "/claims", component: () => import("./views/ClaimsView.vue"), meta: { title: "nav.claims" } },
  { path: "/claims/:id(\\d+)", component: () => import("./views/ClaimView.vue"), meta: { title: "nav.claims" } },
  {
    path: "/review",
    component: () => import("./views/QueueView.vue"),
    meta: needs("review", "nav.review"),
  },
  {
    path: "/review/:id(\\d+)",
    component: () => import("./views/ReviewView.vue"),
    meta: needs("review", "nav.review"),
  },
  { path: "/tokens", component: () => import("./views/TokensView.vue"), meta: { title: "nav.tokens" } },
  { path: "/inbox", component: () => import("./views/InboxView.vue"), meta: { title: "nav.inbox" } },
  {
    path: "/rates",
    component: () => import("./views/RatesView.vue"),
    meta: needs("manage_exchange_rates", "nav.rates"),
  },
  {
    path: "/dashboard",
    component: () => import("./views/DashboardView.vue"),
    meta: needs("view_spend", "nav.dashboard"),
  },
  { path: "/:pathMatch(.*)*", component: () => import("./views/NotFoundView.vue") },
];

// Hash history: Django serves the app only at "/", so deep links must not hit the server.
export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => {
  const action = to.meta.action as UserAction | undefined;
  if (action && !meAllows(session.me, action)) return homeRoute(session.me);
  return true;
});
