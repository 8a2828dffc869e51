import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_MAX_BATCH_EVENTS } from '../ingest/parse-body.ts';
import { isValidTimeZone } from './contact-metrics/zoned-time.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../schemas/validate.ts';

/** Process configuration, from the environment with defaults. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  ingestKey: string | undefined;
  adminPassword: string | undefined;
  clickhouseUrl: string | undefined;
  clickhouseUser: string | undefined;
  clickhousePassword: string | undefined;
  clickhouseDatabase: string | undefined;
  simulator: boolean;
  simulatorScenario: string;
  simulatorBackfillDays: number;
  /** the simulator uploads recordings of its calls (share of real-time calls; backfill sample share and cap) */
  simulatorRecordings: boolean;
  simulatorRecordShare: number;
  simulatorRecordBackfillShare: number;
  simulatorRecordBackfillMax: number;
  maxBodyBytes: number;
  flushMinRows: number;
  flushMs: number;
  maxPendingRows: number;
  dedupMemoryIds: number;
  sessionTtlHours: number;
  credentialRecheckMs: number;
  cookieSecure: boolean;
  shutdownTimeoutMs: number;
  /** raw events older than this are dropped by ClickHouse; 0 keeps them forever */
  eventsTtlDays: number;
  /** most events in one batch */
  maxBatchEvents: number;
  /** how far ahead of the server's clock an event's `ts` may be */
  maxFutureSkewMs: number;
  logLevel: LogLevelName;
  /** IANA zone given to sites first seen in events */
  defaultTimeZone: string;
  /** recordings: ffmpeg binary (else @ffmpeg-installer/ffmpeg), upload limit, job queue, retention, rendition */
  ffmpegPath: string | undefined;
  recordingsMaxBytes: number;
  recordingsJobs: number;
  recordingsQueue: number;
  recordingsTtlDays: number;
  recordingsRendition: 'wav' | 'opus';
  /** storage quota of the recordings' files in GB (10^9 bytes); 0 = none */
  recordingsMaxGb: number;
}

/**
 * The recordings quota when the demo simulator records and RECORDINGS_MAX_GB is unset: the demo
 * stays under ~1 GB. A talk-minute takes ≈ 3 MB on disk (μ-law original 16 KB/s + WAV rendition
 * 32 KB/s + peaks ≈ 2.7 KB/s), so this holds about the last 5 talk-hours.
 */
export const DEMO_RECORDINGS_MAX_GB = 0.9;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];



export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

function num(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name}: must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return dflt;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}: must be on or off (got ${JSON.stringify(env[name])})`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], dflt: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}: must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return raw as T;
}

/** A listen address: an IPv4 or IPv6 literal, or a host name (letters, digits, dots, dashes). */
function host(env: Env, name: string, dflt: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (isIP(raw) === 0 && !/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(raw)) {
    throw new ConfigError(`${name}: must be an IP address or a host name (got ${JSON.stringify(raw)})`);
  }
  return raw;
}

/** The server's own zone as the runtime sees it (the `TZ` environment variable or the system's), or UTC. */
export function systemTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : 'UTC';
}

function timeZone(env: Env, name: string, dflt: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!isValidTimeZone(raw)) throw new ConfigError(`${name}: not an IANA time zone (got ${JSON.stringify(raw)})`);
  return raw;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function loadConfig(env: Env = process.env): Config {
  const ingestKey = optional(env, 'INGEST_KEY');
  if (ingestKey !== undefined && ingestKey.length < 16) throw new ConfigError('INGEST_KEY: must be at least 16 characters');
  const adminPassword = optional(env, 'ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) throw new ConfigError('ADMIN_PASSWORD: must be at least 8 characters');
  const clickhouseUrl = optional(env, 'CLICKHOUSE_URL');
  if (clickhouseUrl !== undefined && !/^https?:\/\//.test(clickhouseUrl)) {
    throw new ConfigError(`CLICKHOUSE_URL: must be an http(s) URL (got ${JSON.stringify(clickhouseUrl)})`);
  }
  const simulator = bool(env, 'SIMULATOR', true);
  const simulatorRecordings = bool(env, 'SIMULATOR_RECORDINGS', true);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: host(env, 'HOST', '0.0.0.0'),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    ingestKey,
    adminPassword,
    clickhouseUrl,
    clickhouseUser: optional(env, 'CLICKHOUSE_USER'),
    clickhousePassword: optional(env, 'CLICKHOUSE_PASSWORD'),
    clickhouseDatabase: optional(env, 'CLICKHOUSE_DATABASE'),
    simulator,
    simulatorScenario: env.SIMULATOR_SCENARIO ?? 'acd/scenarios/demo-utility.json',
    simulatorBackfillDays: int(env, 'SIMULATOR_BACKFILL_DAYS', 14, 0, 366),
    simulatorRecordings,
    simulatorRecordShare: num(env, 'SIMULATOR_RECORD_SHARE', 0.1, 0, 1),
    simulatorRecordBackfillShare: num(env, 'SIMULATOR_RECORD_BACKFILL_SHARE', 0.02, 0, 1),
    simulatorRecordBackfillMax: int(env, 'SIMULATOR_RECORD_BACKFILL_MAX', 20, 0, 100_000),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024),
    flushMinRows: int(env, 'FLUSH_MIN_ROWS', 5000, 1),
    flushMs: int(env, 'FLUSH_MS', 200, 1),
    maxPendingRows: int(env, 'MAX_PENDING_ROWS', 500_000, 1),
    dedupMemoryIds: int(env, 'DEDUP_MEMORY_IDS', 1_000_000, 1000),
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12, 1),
    credentialRecheckMs: int(env, 'CREDENTIAL_RECHECK_MS', 10_000, 100),
    cookieSecure: bool(env, 'COOKIE_SECURE', false),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100),
    eventsTtlDays: int(env, 'EVENTS_TTL_DAYS', 0, 0, 36_500),
    maxBatchEvents: int(env, 'MAX_BATCH_EVENTS', DEFAULT_MAX_BATCH_EVENTS, 1),
    maxFutureSkewMs: int(env, 'MAX_FUTURE_SKEW_MS', DEFAULT_MAX_FUTURE_SKEW_MS, 0, 366 * 86_400_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    defaultTimeZone: timeZone(env, 'DEFAULT_TIME_ZONE', systemTimeZone()),
    ffmpegPath: optional(env, 'FFMPEG_PATH'),
    recordingsMaxBytes: int(env, 'RECORDINGS_MAX_BYTES', 500 * 1024 * 1024, 1024),
    recordingsJobs: int(env, 'RECORDINGS_JOBS', 2, 1, 64),
    recordingsQueue: int(env, 'RECORDINGS_QUEUE', 100, 1, 100_000),
    recordingsTtlDays: int(env, 'RECORDINGS_TTL_DAYS', 0, 0, 36_500),
    recordingsRendition: oneOf(env, 'RECORDINGS_RENDITION', ['wav', 'opus'] as const, 'wav'),
    recordingsMaxGb: num(env, 'RECORDINGS_MAX_GB', simulator && simulatorRecordings ? DEMO_RECORDINGS_MAX_GB : 0, 0, 1_000_000),
  };
}
