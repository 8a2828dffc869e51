// @ts-check
import { svelte } from '@sveltejs/vite-plugin-svelte';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where `npm run dev` sends API, WebSocket and sign-in requests (the running server). */
const target = process.env.CALLBOARD_URL ?? 'http://127.0.0.1:8080';

/**
 * The Vite config of one of the Svelte apps (wallboard/, qa-player/): they differ only in where
 * they live, where they are served and the dev server's port.
 * @param {{ appUrl: string; name: string; base: string; port: number }} app `appUrl`: the config file's `import.meta.url`
 */
export function svelteAppConfig({ appUrl, name, base, port }) {
  /** @param {string} p */
  const here = (p) => fileURLToPath(new URL(p, appUrl));
  return defineConfig({
    root: here('.'),
    base,
    // Vite's dependency cache in the project's node_modules, not a node_modules inside the app
    cacheDir: here(`../node_modules/.vite/${name}`),
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
      port,
      fs: { allow: [here('..')] },
      proxy: {
        '/v1/live': { target, ws: true, changeOrigin: true },
        '/v1': { target, changeOrigin: true },
        '/login': { target, changeOrigin: true },
      },
    },
  });
}
