import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, simulator: true, clickhouseUrl: undefined, flushMinRows: 5000 });
    expect(c.dataDir).toMatch(/\/data$/);
  });
  it.each([
    [{ PORT: 'eighty' }, /^PORT: must be an integer/],
    [{ SIMULATOR: 'maybe' }, /^SIMULATOR: must be on or off/],
    [{ INGEST_KEY: 'short' }, /^INGEST_KEY: must be at least 16/],
    [{ ADMIN_PASSWORD: 'pw' }, /^ADMIN_PASSWORD: must be at least 8/],
    [{ CLICKHOUSE_URL: 'localhost:8123' }, /^CLICKHOUSE_URL: must be an http/],
  ])('names the variable that is wrong: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
  it('reads SIMULATOR=off and a server URL', () => {
    expect(loadConfig({ SIMULATOR: 'off', CLICKHOUSE_URL: 'http://ch:8123' })).toMatchObject({ simulator: false, clickhouseUrl: 'http://ch:8123' });
  });
});
