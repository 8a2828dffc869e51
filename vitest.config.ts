import { defineConfig } from 'vitest/config';

const BESIDE_CODE = ['schemas', 'platform', 'ingest', 'server', 'acd', 'staffing'].map((d) => `${d}/**/*.test.ts`);
// Tests beside the code that start processes belong with the integration tests.
const SPAWNING = ['acd/cli.test.ts'];

export default defineConfig({
  test: {
    // chDB binds one data directory per process: every test file gets its own fork.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // `npm run test:unit`: pure code, no store, no processes; seconds.
      { extends: true, test: { name: 'unit', include: BESIDE_CODE, exclude: SPAWNING } },
      // real chDB, the server as its own process, Chromium
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts', ...SPAWNING] } },
    ],
  },
});
