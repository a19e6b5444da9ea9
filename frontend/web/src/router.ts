import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { hasRole, homeRoute, session } from "./lib/session";
import type { Role } from "./lib/types";

const REVIEWERS: Role[] = ["approver", "finance", "admin"];

const routes: RouteRecordRaw[] = [
  { path: "/", redirect: () => homeRoute(session.me) },
  { path: "/upload", component: () => import("./views/UploadView.vue"), meta: { title: "nav.upload" } },
  { path: "/documents/:id(\\d+)", component: () => import("./views/DocumentView.vue"), meta: { title: "nav.document" } },
  { path: "/claims", component: () => import("./views/ClaimsView.vue"), meta: { title: "nav.claims" } },
  { path: "/claims/:id(\\d+)", component: () => import("./views/ClaimView.vue"), meta: { title: "nav.claims" } },
  {
    path: "/review",
    component: () => import("./views/QueueView.vue"),
    meta: { roles: REVIEWERS, title: "nav.review" },
  },
  {
    path: "/review/:id(\\d+)",
    component: () => import("./views/ReviewView.vue"),
    meta: { roles: REVIEWERS, title: "nav.review" },
  },
  { path: "/tokens", component: () => import("./views/TokensView.vue"), meta: { title: "nav.tokens" } },
  { path: "/inbox", component: () => import("./views/InboxView.vue"), meta: { title: "nav.inbox" } },
  {
    path: "/rates",
    component: () => import("./views/RatesView.vue"),
    meta: { roles: ["finance", "admin"] as Role[], title: "nav.rates" },
  },
  {
    path: "/dashboard",
    component: () => import("./views/DashboardView.vue"),
    meta: { roles: ["finance", "admin"] as Role[], title: "nav.dashboard" },
  },
  { path: "/:pathMatch(.*)*", component: () => import("./views/NotFoundView.vue") },
];

// Hash history: Django serves the app only at "/", so deep links must not hit the server.
export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => {
  const roles = to.meta.roles as Role[] | undefined;
  if (roles && !hasRole(session.me, ...roles)) return homeRoute(session.me);
  return true;
});
