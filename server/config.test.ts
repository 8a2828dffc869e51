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
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ HOST: 'not a host!' }, /^HOST: must be an IP address or a host name/],
    [{ MAX_FUTURE_SKEW_MS: '-5' }, /^MAX_FUTURE_SKEW_MS: must be an integer/],
    [{ DEFAULT_TIME_ZONE: 'Mars/Base' }, /^DEFAULT_TIME_ZONE: not an IANA time zone/],
    [{ RECORDINGS_MAX_BYTES: '10' }, /^RECORDINGS_MAX_BYTES: must be an integer from 1024/],
    [{ RECORDINGS_JOBS: '0' }, /^RECORDINGS_JOBS: must be an integer from 1 to 64/],
    [{ RECORDINGS_QUEUE: 'lots' }, /^RECORDINGS_QUEUE: must be an integer/],
    [{ RECORDINGS_TTL_DAYS: '-1' }, /^RECORDINGS_TTL_DAYS: must be an integer/],
    [{ RECORDINGS_RENDITION: 'mp3' }, /^RECORDINGS_RENDITION: must be one of wav, opus/],
  ])('names the variable that is wrong: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
  it('reads LOG_LEVEL, HOST and MAX_FUTURE_SKEW_MS', () => {
    expect(loadConfig({ LOG_LEVEL: 'debug', HOST: '::1', MAX_FUTURE_SKEW_MS: '60000' })).toMatchObject({ logLevel: 'debug', host: '::1', maxFutureSkewMs: 60_000 });
    expect(loadConfig({ HOST: 'callboard.example.org' }).host).toBe('callboard.example.org');
    expect(loadConfig({}).maxFutureSkewMs).toBe(86_400_000);
  });
  it('reads the recordings settings', () => {
    expect(loadConfig({})).toMatchObject({ ffmpegPath: undefined, recordingsMaxBytes: 500 * 1024 * 1024, recordingsJobs: 2, recordingsQueue: 100, recordingsTtlDays: 0, recordingsRendition: 'wav' });
    expect(loadConfig({ FFMPEG_PATH: '/usr/bin/ffmpeg', RECORDINGS_JOBS: '4', RECORDINGS_TTL_DAYS: '90', RECORDINGS_RENDITION: 'opus' })).toMatchObject({
      ffmpegPath: '/usr/bin/ffmpeg',
      recordingsJobs: 4,
      recordingsTtlDays: 90,
      recordingsRendition: 'opus',
    });
  });
  it('reads SIMULATOR=off and a server URL', () => {
    expect(loadConfig({ SIMULATOR: 'off', CLICKHOUSE_URL: 'http://ch:8123' })).toMatchObject({ simulator: false, clickhouseUrl: 'http://ch:8123' });
  });
});
