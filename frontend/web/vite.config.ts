/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// Django serves the built files: WhiteNoise/collectstatic put them under STATIC_URL,
// so every asset URL must start with /static/ (index.html itself is served at "/").
const backend = process.env.IA_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/static/",
  plugins: [vue()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Default browser targets for Vite 7 (baseline widely available) cover the phones we expect.
  },
  server: {
    // The vocabulary shared with the mini-program lives in frontend/shared.
    fs: { allow: [".."] },
    // `npm run dev` next to `manage.py runserver`: same-origin for cookies and CSRF.
    proxy: {
      "/api": backend,
      "/login": backend,
      "/logout": backend,
      "/admin": backend,
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
  },
});
