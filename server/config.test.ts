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
    [{ RECORDINGS_MAX_GB: 'big' }, /^RECORDINGS_MAX_GB: must be a number from 0/],
    [{ RECORDINGS_MAX_GB: '-1' }, /^RECORDINGS_MAX_GB: must be a number from 0/],
    [{ SIMULATOR_RECORDINGS: 'sometimes' }, /^SIMULATOR_RECORDINGS: must be on or off/],
    [{ SIMULATOR_RECORD_SHARE: '2' }, /^SIMULATOR_RECORD_SHARE: must be a number from 0 to 1/],
    [{ SIMULATOR_RECORD_BACKFILL_SHARE: '5%' }, /^SIMULATOR_RECORD_BACKFILL_SHARE: must be a number from 0 to 1/],
    [{ SIMULATOR_RECORD_BACKFILL_MAX: '1.5' }, /^SIMULATOR_RECORD_BACKFILL_MAX: must be an integer/],
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
  it('reads the simulator recording settings and the storage quota, 0.9 GB for the recording demo unless set', () => {
    expect(loadConfig({})).toMatchObject({ simulatorRecordings: true, simulatorRecordShare: 0.1, simulatorRecordBackfillShare: 0.02, simulatorRecordBackfillMax: 20, recordingsMaxGb: 0.9 });
    expect(loadConfig({ SIMULATOR_RECORD_SHARE: '0.25', SIMULATOR_RECORD_BACKFILL_SHARE: '0', SIMULATOR_RECORD_BACKFILL_MAX: '10' })).toMatchObject({
      simulatorRecordShare: 0.25,
      simulatorRecordBackfillShare: 0,
      simulatorRecordBackfillMax: 10,
    });
    expect(loadConfig({ RECORDINGS_MAX_GB: '2.5' }).recordingsMaxGb).toBe(2.5);
    expect(loadConfig({ RECORDINGS_MAX_GB: '0' }).recordingsMaxGb).toBe(0); // explicitly none, even for the demo
    expect(loadConfig({ SIMULATOR: 'off' }).recordingsMaxGb).toBe(0);
    expect(loadConfig({ SIMULATOR_RECORDINGS: 'off' })).toMatchObject({ simulatorRecordings: false, recordingsMaxGb: 0 });
    expect(loadConfig({ SIMULATOR: 'off', RECORDINGS_MAX_GB: '100' }).recordingsMaxGb).toBe(100);
  });
  it('reads SIMULATOR=off and a server URL', () => {
    expect(loadConfig({ SIMULATOR: 'off', CLICKHOUSE_URL: 'http://ch:8123' })).toMatchObject({ simulator: false, clickhouseUrl: 'http://ch:8123' });
  });
});
