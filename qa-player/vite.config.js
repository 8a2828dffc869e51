// @ts-check
import { svelte } from '@sveltejs/vite-plugin-svelte';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** @param {string} p */
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
/** Where `npm run dev` sends API, WebSocket and sign-in requests (the running server). */
const target = process.env.CALLBOARD_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  base: '/qa/',
  // Vite's dependency cache in the project's node_modules, not a node_modules inside wallboard/
  cacheDir: here('../node_modules/.vite/qa-player'),
  plugins: [svelte()],
  resolve: { alias: { $ui: here('../ui') } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
    // the Svelte compile dominates a 3 s build by design: no timing report on every start
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    port: 5174,
    fs: { allow: [here('..')] },
    proxy: {
      '/v1/live': { target, ws: true, changeOrigin: true },
      '/v1': { target, changeOrigin: true },
      '/login': { target, changeOrigin: true },
    },
  },
});
