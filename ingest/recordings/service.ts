/**
 * Recordings: content-addressed files under DATA_DIR/recordings, metadata rows in ClickHouse,
 * a bounded job queue in front of ffmpeg, and expiry: the retention sweep (age) and the storage
 * quota (size), one way of expiring.
 *
 * Paths come only from the SHA-256 of the content (hex, checked): no string a client sends
 * ever reaches the file system. Derived files depend only on the content, so two calls with
 * identical audio share them; which channel is whom lives in the row.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TABLES } from '../../schemas/tables.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import { PEAK_LEVELS } from './analysis.ts';
import type { Ffmpeg } from './ffmpeg.ts';
import { processRecording, RecordingInputError, RENDITION_EXT, type Rendition } from './pipeline.ts';

export type ChannelLayout = 'agent,customer' | 'customer,agent' | 'mixed';
export const CHANNEL_LAYOUTS: readonly ChannelLayout[] = ['agent,customer', 'customer,agent', 'mixed'];
export type RecordingStatus = 'processing' | 'ready' | 'failed' | 'expired';

export interface RecordingRow {
  call: string;
  sha256: string;
  status: RecordingStatus;
  error: string;
  channels: string[];
  duration_s: number;
  sample_rate: number;
  original_format: string;
  original_bytes: number;
  original_path: string;
  media_path: string;
  peaks_path: string;
  agent_talk_s: number;
  customer_talk_s: number;
  silence_ratio: number;
  longest_silence_s: number;
  talk_over_s: number;
  agent_talk_ratio: number;
  uploaded_at: number;
  source: string;
  version: number;
  updated_at: number;
}

export interface RecordingOptions {
  dataDir: string;
  ffmpeg: Ffmpeg;
  store: Store;
  log: Logger;
  /** writes one audit_log row */
  audit: (actor: string, action: string, target: string, detail: string) => Promise<void>;
  /** ffmpeg jobs at once */
  maxJobs: number;
  /** uploads in progress + jobs waiting, beyond which uploads are refused (429) */
  maxQueue: number;
  /** largest upload */
  maxBytes: number;
  /** delete audio older than this many days; 0 keeps it */
  ttlDays: number;
  /**
   * storage quota in GB (10^9 bytes) of the files under DATA_DIR/recordings: beyond it the oldest
   * recordings (by upload) are expired like the retention does; 0 or absent = none
   */
  maxGb?: number;
  rendition: Rendition;
  /** retries of a transient failure (ffmpeg killed or not starting, store errors) */
  retries?: number;
  now?: () => number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const RETRY_DELAYS_MS = [1000, 5000, 15000];
const SWEEP_EVERY_MS = 24 * 3600_000;
const JOB_TIMEOUT_MS = 15 * 60_000;
/** Over the quota, recordings are expired until the files take at most this share of it (so not every job expires one). */
const QUOTA_LOW_WATER = 0.9;
const NAN_FIGURES = { agent_talk_s: NaN, customer_talk_s: NaN, silence_ratio: NaN, longest_silence_s: NaN, talk_over_s: NaN, agent_talk_ratio: NaN };

interface Job {
  row: RecordingRow;
  attempt: number;
}

let lastVersion = 0;
/** Strictly increasing, with room below each value: a job's result row (version + 1) never outranks a later upload. */
function nextVersion(now: number): number {
  lastVersion = Math.max(lastVersion + 10, now * 1000);
  return lastVersion;
}

export class QueueFullError extends Error {
  constructor(readonly retryAfterS: number) {
    super(`recording queue full, retry in ${retryAfterS} s`);
  }
}

export class RecordingService {
  readonly root: string;
  private readonly tmp: string;
  private readonly now: () => number;
  private readonly waiting: Job[] = [];
  private running = 0;
  /** uploads in progress (admitted, body not yet complete) */
  private uploading = 0;
  /** average seconds of a job, for Retry-After */
  private avgJobS = 2;
  private sweepTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly idle = new Set<() => void>();
  /** bytes on disk per content (original, rendition, peaks), for the quota */
  private readonly shaBytes = new Map<string, number>();
  private usedBytes = 0;
  /** quota checks run one after the other */
  private quotaChain: Promise<unknown> = Promise.resolve();
  readonly stats = { processed: 0, failed: 0, retried: 0, refused: 0, quotaExpired: 0 };

  constructor(readonly opts: RecordingOptions) {
    this.root = join(opts.dataDir, 'recordings');
    this.tmp = join(this.root, 'tmp');
    this.now = opts.now ?? Date.now;
  }

  get queued(): number {
    return this.waiting.length;
  }
  get active(): number {
    return this.running;
  }
  /** bytes of the recordings' files (uploads in progress not counted) */
  get diskBytes(): number {
    return this.usedBytes;
  }

  /** Creates the folders, clears unfinished uploads, queues the recordings a previous run left processing, starts the daily sweep. */
  async start(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
    const left = await this.opts.store.query<RecordingRow>(
      `SELECT * FROM (${latestSql('')}) WHERE status = 'processing'`,
    );
    await this.measure();
    if (this.quotaBytes() > 0) {
      this.opts.log('info', 'recordings storage quota', { max_gb: this.opts.maxGb, used_gb: Math.round(this.usedBytes / 1e7) / 100 });
      await this.enforceQuota().catch((err: unknown) => this.opts.log('error', 'recordings quota check failed', { error: String(err) }));
    }
    for (const row of left) this.enqueue(normalise(row));
    if (left.length) this.opts.log('info', 'recordings left processing by the previous run queued again', { count: left.length });
    if (this.opts.ttlDays > 0) {
      const run = () =>
        void this.sweep().catch((err: unknown) => this.opts.log('error', 'recordings retention sweep failed', { error: String(err) }));
      run();
      this.sweepTimer = setInterval(run, SWEEP_EVERY_MS);
      this.sweepTimer.unref();
    }
  }

  close(): void {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Takes a queue place for an upload about to be read; QueueFullError when none is free. Pair with `release` or `accept`. */
  admit(): void {
    if (this.uploading + this.waiting.length >= this.opts.maxQueue) {
      this.stats.refused++;
      throw new QueueFullError(this.retryAfterS());
    }
    this.uploading++;
  }

  /** Gives back an admitted place whose upload did not complete. */
  release(): void {
    this.uploading = Math.max(0, this.uploading - 1);
  }

  private retryAfterS(): number {
    const ahead = this.waiting.length + this.uploading;
    return Math.max(1, Math.ceil((this.avgJobS * (ahead + 1)) / this.opts.maxJobs));
  }

  /** A fresh temporary file for an upload. */
  tempFile(): string {
    return join(this.tmp, `${randomBytes(12).toString('hex')}.part`);
  }

  /** Relative path of a content-addressed file: `<2 hex>/<sha256><suffix>`. */
  relPath(sha: string, suffix = ''): string {
    if (!SHA256_HEX.test(sha)) throw new Error('not a SHA-256');
    return `${sha.slice(0, 2)}/${sha}${suffix}`;
  }

  abs(rel: string): string {
    return join(this.root, rel);
  }

  /**
   * An upload is complete (its admitted place is handed over): moves it to its content-addressed
   * place and queues it. The same content again for the same call while processing or ready is
   * answered with the current state, nothing queued.
   */
  async accept(a: { call: string; channels: ChannelLayout | null; tempFile: string; sha256: string; bytes: number; source: string }): Promise<{ status: RecordingStatus; duplicate: boolean }> {
    this.release();
    try {
      const current = await this.get(a.call);
      const layout = a.channels ? a.channels.split(',') : [];
      if (current && current.sha256 === a.sha256 && (current.status === 'processing' || current.status === 'ready') && (!a.channels || current.channels.join(',') === a.channels)) {
        return { status: current.status, duplicate: true };
      }
      const original = this.relPath(a.sha256);
      await mkdir(join(this.root, a.sha256.slice(0, 2)), { recursive: true });
      await rename(a.tempFile, this.abs(original));
      await this.recount(a.sha256);
      const now = this.now();
      const row: RecordingRow = {
        call: a.call,
        sha256: a.sha256,
        status: 'processing',
        error: '',
        channels: layout,
        duration_s: 0,
        sample_rate: 0,
        original_format: '',
        original_bytes: a.bytes,
        original_path: original,
        media_path: '',
        peaks_path: '',
        ...NAN_FIGURES,
        uploaded_at: now,
        source: a.source,
        version: nextVersion(now),
        updated_at: now,
      };
      await this.write(row);
      this.enqueue(row);
      return { status: 'processing', duplicate: false };
    } finally {
      await rm(a.tempFile, { force: true });
    }
  }

  /** The current row of a call's recording, or null. */
  async get(call: string): Promise<RecordingRow | null> {
    const rows = await this.opts.store.query<RecordingRow>(latestSql('WHERE call = {call:String}'), { call });
    return rows[0] ? normalise(rows[0]) : null;
  }

  /** Resolves when no job runs or waits (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private enqueue(row: RecordingRow, attempt = 0): void {
    this.waiting.push({ row, attempt });
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.opts.maxJobs && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) {
          for (const f of this.idle) f();
          this.idle.clear();
        }
      });
    }
  }

  private async run(job: Job): Promise<void> {
    const { row } = job;
    const started = this.now();
    const ext = RENDITION_EXT[this.opts.rendition];
    const base = this.relPath(row.sha256);
    try {
      const { probe, analysis } = await processRecording(this.opts.ffmpeg, this.abs(row.original_path), this.abs(base), {
        channels: row.channels.length === 0 ? null : row.channels.length === 1 ? 1 : 2,
        rendition: this.opts.rendition,
        timeoutMs: JOB_TIMEOUT_MS,
      });
      const channels = row.channels.length ? row.channels : probe.channels === 2 ? ['agent', 'customer'] : ['mixed'];
      const talk = analysis.speech.talk_s;
      const ai = channels.indexOf('agent');
      const ci = channels.indexOf('customer');
      const agent = ai >= 0 ? talk[ai]! : NaN;
      const customer = ci >= 0 ? talk[ci]! : NaN;
      await this.write({
        ...row,
        status: 'ready',
        error: '',
        channels,
        duration_s: Math.round(analysis.duration_s * 1000) / 1000,
        sample_rate: probe.sample_rate,
        original_format: probe.format,
        media_path: `${base}.${ext}`,
        peaks_path: `${base}.peaks`,
        agent_talk_s: agent,
        customer_talk_s: customer,
        silence_ratio: analysis.speech.silence_ratio,
        longest_silence_s: analysis.speech.longest_silence_s,
        talk_over_s: channels.length === 2 ? analysis.speech.talk_over_s : NaN,
        agent_talk_ratio: agent + customer > 0 ? Math.round((agent / (agent + customer)) * 1000) / 1000 : NaN,
        version: row.version + 1,
        updated_at: this.now(),
      });
      this.stats.processed++;
      this.opts.log('info', 'recording ready', { call: row.call, duration_s: analysis.duration_s, ms: Math.round(this.now() - started), queued_ms: Math.round(started - row.updated_at) });
      this.avgJobS = this.avgJobS * 0.8 + ((this.now() - started) / 1000) * 0.2;
      await this.recount(row.sha256);
      await this.enforceQuota().catch((err: unknown) => this.opts.log('error', 'recordings quota check failed', { error: String(err) }));
    } catch (err) {
      const permanent = err instanceof RecordingInputError;
      if (!permanent && job.attempt < (this.opts.retries ?? 2)) {
        this.stats.retried++;
        const delay = RETRY_DELAYS_MS[job.attempt] ?? 15000;
        this.opts.log('warn', 'recording job failed, retrying', { call: row.call, attempt: job.attempt + 1, error: String(err) });
        // keeps its place counted as waiting only once it is back in the queue
        setTimeout(() => this.enqueue(row, job.attempt + 1), delay).unref();
        return;
      }
      this.stats.failed++;
      const error = permanent ? (err as Error).message : `processing failed after ${job.attempt + 1} attempts: ${(err as Error).message}`;
      if (!permanent) this.opts.log('error', 'recording job failed', { call: row.call, error: String(err) });
      await this.write({ ...row, status: 'failed', error, version: row.version + 1, updated_at: this.now() }).catch((e: unknown) =>
        this.opts.log('error', 'recording failure row not written', { call: row.call, error: String(e) }),
      );
      // the original of a file that can never be processed is not kept (unless another call holds the same bytes)
      if (permanent) await this.removeIfUnused(row.sha256);
      await this.recount(row.sha256);
    }
  }

  private write(row: RecordingRow): Promise<void> {
    return this.writeRows([row]);
  }

  private async writeRows(rows: readonly RecordingRow[]): Promise<void> {
    const nanToNull = (x: number) => (Number.isFinite(x) ? x : null);
    await this.opts.store.insertRows(
      TABLES.recordings,
      rows.map((row) => ({
        ...row,
        agent_talk_s: nanToNull(row.agent_talk_s),
        customer_talk_s: nanToNull(row.customer_talk_s),
        silence_ratio: nanToNull(row.silence_ratio),
        longest_silence_s: nanToNull(row.longest_silence_s),
        talk_over_s: nanToNull(row.talk_over_s),
        agent_talk_ratio: nanToNull(row.agent_talk_ratio),
      })),
    );
  }

  /** Deletes a content's files when no current row other than expired/failed ones needs them. */
  private async removeIfUnused(sha: string): Promise<boolean> {
    const [r] = await this.opts.store.query<{ n: number | string }>(
      `SELECT count() AS n FROM (${latestSql('')}) WHERE sha256 = {sha:String} AND status IN ('processing', 'ready')`,
      { sha },
    );
    if (Number(r?.n ?? 0) > 0) return false;
    await this.removeFiles(sha);
    return true;
  }

  private async removeFiles(sha: string): Promise<void> {
    const dir = join(this.root, sha.slice(0, 2));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.startsWith(sha)) await rm(join(dir, n), { force: true });
    this.usedBytes -= this.shaBytes.get(sha) ?? 0;
    this.shaBytes.delete(sha);
  }

  /** Sums the files under the root (not the uploads in progress), per content. */
  private async measure(): Promise<void> {
    this.shaBytes.clear();
    this.usedBytes = 0;
    const dirs = await readdir(this.root).catch(() => [] as string[]);
    for (const d of dirs) {
      if (!/^[0-9a-f]{2}$/.test(d)) continue;
      for (const n of await readdir(join(this.root, d)).catch(() => [] as string[])) {
        const sha = n.slice(0, 64);
        if (!SHA256_HEX.test(sha)) continue;
        const size = await stat(join(this.root, d, n)).then((st) => st.size, () => 0);
        this.shaBytes.set(sha, (this.shaBytes.get(sha) ?? 0) + size);
        this.usedBytes += size;
      }
    }
  }

  /** Measures one content's files again (after they were written or removed). */
  private async recount(sha: string): Promise<void> {
    const dir = join(this.root, sha.slice(0, 2));
    let bytes = 0;
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (n.startsWith(sha)) bytes += await stat(join(dir, n)).then((st) => st.size, () => 0);
    }
    this.usedBytes += bytes - (this.shaBytes.get(sha) ?? 0);
    if (bytes > 0) this.shaBytes.set(sha, bytes);
    else this.shaBytes.delete(sha);
  }

  private quotaBytes(): number {
    return (this.opts.maxGb ?? 0) > 0 ? (this.opts.maxGb as number) * 1e9 : 0;
  }

  /**
   * The expiry both limits use: the rows become `expired` (duration and figures stay, the paths
   * go) and the files of each content no other live recording uses are deleted. The caller
   * writes one audit row for it (`auditExpired`).
   */
  private async expire(rows: RecordingRow[], error: string): Promise<string[]> {
    if (rows.length === 0) return [];
    const now = this.now();
    await this.writeRows(rows.map((row) => ({ ...row, status: 'expired' as const, error, media_path: '', peaks_path: '', original_path: '', version: nextVersion(now), updated_at: now })));
    for (const sha of new Set(rows.map((r) => r.sha256))) await this.removeIfUnused(sha);
    return rows.map((r) => r.call);
  }

  /** One audit row (`recordings_expired`, actor `system`) for one expiry: how many, why, which. */
  private async auditExpired(calls: string[], why: string): Promise<void> {
    const listed = calls.slice(0, 200).join(',') + (calls.length > 200 ? `,… (${calls.length - 200} more)` : '');
    await this.opts.audit('system', 'recordings_expired', `${calls.length} recordings`, `${why}: ${listed}`);
  }

  /**
   * Storage quota: while the files take more than `maxGb`, the recordings uploaded first are
   * expired (as the retention does) until they take at most 90 % of it. Runs after each job and
   * at start, one check at a time. Recordings still processing are never expired, and files
   * another live recording shares stay (then older ones go too).
   */
  enforceQuota(): Promise<{ expired: string[] }> {
    const run = this.quotaChain.then(() => this.quotaOnce());
    this.quotaChain = run.catch(() => undefined);
    return run;
  }

  private async quotaOnce(): Promise<{ expired: string[] }> {
    const limit = this.quotaBytes();
    if (limit <= 0 || this.usedBytes <= limit) return { expired: [] };
    const before = this.usedBytes;
    const target = limit * QUOTA_LOW_WATER;
    const expired: string[] = [];
    for (let round = 0; round < 10 && this.usedBytes > target; round++) {
      const oldest = (
        await this.opts.store.query<RecordingRow>(
          `SELECT * FROM (${latestSql('')}) WHERE status IN ('ready', 'failed') ORDER BY uploaded_ms, call LIMIT 1000`,
        )
      ).map(normalise);
      const chosen: RecordingRow[] = [];
      const counted = new Set<string>();
      let freed = 0;
      for (const row of oldest) {
        if (this.usedBytes - freed <= target) break;
        chosen.push(row);
        if (!counted.has(row.sha256)) {
          counted.add(row.sha256);
          freed += this.shaBytes.get(row.sha256) ?? 0;
        }
      }
      if (chosen.length === 0) break;
      // files shared with a newer live recording stay: then the next round takes older ones too
      expired.push(...(await this.expire(chosen, `audio deleted by the storage quota (RECORDINGS_MAX_GB=${this.opts.maxGb})`)));
    }
    if (expired.length) {
      const gb = (b: number) => Math.round(b / 1e6) / 1000;
      await this.auditExpired(expired, `storage quota RECORDINGS_MAX_GB=${this.opts.maxGb} exceeded (${gb(before)} GB of recordings, ${gb(this.usedBytes)} GB after; oldest uploads first)`);
      this.stats.quotaExpired += expired.length;
      this.opts.log('info', 'recordings storage quota: oldest audio deleted', { count: expired.length, max_gb: this.opts.maxGb, before_bytes: before, after_bytes: this.usedBytes });
    }
    if (this.usedBytes > limit) this.opts.log('warn', 'recordings over the storage quota with nothing left to expire (recordings still processing)', { max_gb: this.opts.maxGb, used_bytes: this.usedBytes });
    return { expired };
  }

  /**
   * Retention: recordings uploaded more than `ttlDays` ago lose their audio and peaks; their rows
   * become `expired` (the figures stay) and one audit row says how many and which.
   */
  async sweep(): Promise<{ expired: string[] }> {
    if (this.opts.ttlDays <= 0) return { expired: [] };
    const cutoff = this.now() - this.opts.ttlDays * 86_400_000;
    const old = (
      await this.opts.store.query<RecordingRow>(
        `SELECT * FROM (${latestSql('')}) WHERE status != 'expired' AND uploaded_ms < {cutoff:Int64} ORDER BY call LIMIT 100000`,
        { cutoff },
      )
    ).map(normalise);
    if (old.length === 0) return { expired: [] };
    const calls = await this.expire(old, `audio deleted by retention (RECORDINGS_TTL_DAYS=${this.opts.ttlDays})`);
    await this.auditExpired(calls, `older than ${this.opts.ttlDays} days`);
    this.opts.log('info', 'recordings retention: audio deleted', { count: calls.length, ttl_days: this.opts.ttlDays });
    return { expired: calls };
  }

  /** Whether a file the row names exists (a served path comes only from a row, never from the request). */
  async size(rel: string): Promise<number | null> {
    if (!rel) return null;
    try {
      return (await stat(this.abs(rel))).size;
    } catch {
      return null;
    }
  }

  peaksFile(row: RecordingRow, pps: number): string | null {
    if (!row.peaks_path || !(PEAK_LEVELS as readonly number[]).includes(pps)) return null;
    return `${row.peaks_path}-${pps}.json`;
  }
}

const COLUMNS =
  'call, sha256, status, error, channels, duration_s, sample_rate, original_format, original_bytes, original_path, media_path, peaks_path, ' +
  'agent_talk_s, customer_talk_s, silence_ratio, longest_silence_s, talk_over_s, agent_talk_ratio, source, version, ' +
  'toUnixTimestamp64Milli(uploaded_at) AS uploaded_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms';

function latestSql(where: string): string {
  return `SELECT ${COLUMNS} FROM ${TABLES.recordings} ${where} ORDER BY call, version DESC LIMIT 1 BY call`;
}

/** UInt64 and DateTime64 arrive as strings; NaN figures as null. */
function normalise(raw: RecordingRow): RecordingRow {
  const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
  const { uploaded_ms, updated_ms, ...r } = raw as RecordingRow & { uploaded_ms: unknown; updated_ms: unknown };
  return {
    ...r,
    duration_s: num(r.duration_s),
    sample_rate: num(r.sample_rate),
    original_bytes: num(r.original_bytes),
    agent_talk_s: num(r.agent_talk_s),
    customer_talk_s: num(r.customer_talk_s),
    silence_ratio: num(r.silence_ratio),
    longest_silence_s: num(r.longest_silence_s),
    talk_over_s: num(r.talk_over_s),
    agent_talk_ratio: num(r.agent_talk_ratio),
    uploaded_at: num(uploaded_ms),
    updated_at: num(updated_ms),
    version: num(r.version),
  };
}
