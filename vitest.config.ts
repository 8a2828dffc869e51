import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // chDB binds one data directory per process: every test file gets its own fork.
    pool: 'forks',
    include: ['schemas/**/*.test.ts', 'platform/**/*.test.ts', 'ingest/**/*.test.ts', 'server/**/*.test.ts', 'acd/**/*.test.ts', 'staffing/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
