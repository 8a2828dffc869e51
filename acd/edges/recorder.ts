/**
 * The simulator's call recorder: gives the demo's calls recordings to play, as a PBX would.
 *
 * It watches the events the simulator emits (wrapping the event sink, `RecordingSink`) and
 * follows each sampled call: `call.answered` connects it (recording starts), `call.hold` /
 * `call.unhold` make silence on both channels, `call.transferred` disconnects it until the next
 * answer (a blind transfer's wait in the queue is not recorded; an attended transfer hands over
 * in the same millisecond), `call.ended` stops it. The recording is the call's connected time:
 * the sum of its agent legs (talk + hold, as server/contact-metrics counts them).
 *
 * At `call.ended` it builds a stereo G.711 μ-law WAV (left = agent, right = customer), in
 * pure JS, from the demo's real two-party call (acd/demo-audio/), looped from a per-call offset
 * so calls sound different, μ-law silence (0xFF) while on hold, and uploads it with
 * `PUT /v1/recordings/{call}?channels=agent,customer` and the ingest key. Uploads run in the
 * background, a few at once, retried with back-off on 429 (honouring Retry-After), 5xx and
 * network errors; after `maxTries` the recording is given up with a warning. Nothing here ever
 * blocks or slows the event stream: `observe` is synchronous and O(1), and the upload queue is
 * bounded (a full queue drops the recording with a warning).
 *
 * Real-time calls: a `share` of them (default all). Backfilled calls (first answered before
 * `backfillUntilMs`): candidates with probability `backfillShare`, of which at most
 * `backfillMax` are kept (the candidates with the smallest hashes: a uniform sample over the
 * whole backfill), uploaded after `releaseBackfill()` (the run loop calls it once the backfill's
 * events are sent).
 */
import { readFileSync } from 'node:fs';
import type { CallboardEvent } from '../../schemas/events.ts';
import type { EventSink } from '../sim/sink.ts';

/** The demo's real two-party call, shipped with the repository. */
export const DEMO_AUDIO_FILE = new URL('../demo-audio/call-60s-stereo-agentL-customerR-mulaw-8k.wav', import.meta.url);

const WAVE_MULAW = 7;
/** μ-law code of a zero sample (positive zero). */
export const MULAW_SILENCE = 0xff;

/** Decoded-enough source audio: interleaved stereo μ-law bytes (agent, customer). */
export interface DemoAudio {
  sampleRate: number;
  /** interleaved L/R μ-law bytes, 2 per frame */
  data: Buffer;
  frames: number;
}

/** Reads a stereo μ-law WAV (format tag 7); throws naming what is wrong. */
export function parseMulawWav(buf: Buffer, name = 'audio'): DemoAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${name}: not a RIFF/WAVE file`);
  let fmt: { tag: number; channels: number; rate: number; bits: number } | null = null;
  let data: Buffer | null = null;
  for (let p = 12; p + 8 <= buf.length; ) {
    const id = buf.toString('ascii', p, p + 4);
    const size = buf.readUInt32LE(p + 4);
    const body = buf.subarray(p + 8, Math.min(buf.length, p + 8 + size));
    if (id === 'fmt ' && body.length >= 16) fmt = { tag: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    if (id === 'data') data = body;
    p += 8 + size + (size & 1);
  }
  if (!fmt || !data) throw new Error(`${name}: WAV without fmt or data chunk`);
  if (fmt.tag !== WAVE_MULAW || fmt.channels !== 2 || fmt.bits !== 8) {
    throw new Error(`${name}: must be stereo G.711 μ-law WAV (format 7, 2 channels, 8 bits; got format ${fmt.tag}, ${fmt.channels} channels, ${fmt.bits} bits)`);
  }
  const frames = Math.floor(data.length / 2);
  if (frames < fmt.rate) throw new Error(`${name}: shorter than 1 s`);
  return { sampleRate: fmt.rate, data: data.subarray(0, frames * 2), frames };
}

let demoAudio: DemoAudio | null = null;
/** The demo audio, read once. */
export function loadDemoAudio(file: URL | string = DEMO_AUDIO_FILE): DemoAudio {
  if (file === DEMO_AUDIO_FILE && demoAudio) return demoAudio;
  const a = parseMulawWav(readFileSync(file), String(file));
  if (file === DEMO_AUDIO_FILE) demoAudio = a;
  return a;
}

/** One stretch of a recording: the parties talk, or silence (hold). */
export interface Segment {
  ms: number;
  silent: boolean;
}

/**
 * A stereo μ-law WAV of the segments: talk plays the source from `offsetFrame` on (looping,
 * advancing only while talking, so speech resumes after a hold where it stopped), silence is
 * 0xFF on both channels. Frame boundaries come from the cumulative time, so no rounding drifts.
 */
export function buildRecording(audio: DemoAudio, segments: readonly Segment[], offsetFrame: number): Buffer {
  const rate = audio.sampleRate;
  const totalMs = segments.reduce((s, x) => s + x.ms, 0);
  const frames = Math.round((totalMs * rate) / 1000);
  const header = 12 + 26 + 12 + 8;
  const out = Buffer.allocUnsafe(header + frames * 2);
  let p = 0;
  p += out.write('RIFF', p, 'ascii');
  p = out.writeUInt32LE(out.length - 8, p);
  p += out.write('WAVE', p, 'ascii');
  p += out.write('fmt ', p, 'ascii');
  p = out.writeUInt32LE(18, p);
  p = out.writeUInt16LE(WAVE_MULAW, p);
  p = out.writeUInt16LE(2, p);
  p = out.writeUInt32LE(rate, p);
  p = out.writeUInt32LE(rate * 2, p);
  p = out.writeUInt16LE(2, p);
  p = out.writeUInt16LE(8, p);
  p = out.writeUInt16LE(0, p);
  p += out.write('fact', p, 'ascii');
  p = out.writeUInt32LE(4, p);
  p = out.writeUInt32LE(frames, p);
  p += out.write('data', p, 'ascii');
  out.writeUInt32LE(frames * 2, p);

  let src = ((Math.floor(offsetFrame) % audio.frames) + audio.frames) % audio.frames;
  let atMs = 0;
  let frame = 0;
  for (const seg of segments) {
    atMs += seg.ms;
    const end = Math.min(frames, Math.round((atMs * rate) / 1000));
    if (seg.silent) {
      out.fill(MULAW_SILENCE, header + frame * 2, header + end * 2);
      frame = end;
      continue;
    }
    while (frame < end) {
      const n = Math.min(end - frame, audio.frames - src);
      audio.data.copy(out, header + frame * 2, src * 2, (src + n) * 2);
      frame += n;
      src = (src + n) % audio.frames;
    }
  }
  return out;
}

/** A uniform number in [0, 1) from a call id and a salt (FNV-1a, then murmur3's finaliser). */
export function unitHash(text: string, salt: string): number {
  let h = 0x811c9dc5;
  const s = `${salt}:${text}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Per-call state while the call is followed. */
interface Track {
  call: string;
  backfill: boolean;
  firstAnswerMs: number;
  connected: boolean;
  held: boolean;
  since: number;
  segments: Segment[];
  /** for the backfill sample: smaller is kept */
  rank: number;
}

/** A finished call waiting for its upload. */
export interface Take {
  call: string;
  segments: Segment[];
  firstAnswerMs: number;
  rank: number;
}

export interface RecorderOptions {
  /** the server's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** API key with the ingest scope */
  key: string;
  audio: DemoAudio;
  /** share of real-time calls recorded, 0–1 (default 1) */
  share?: number;
  /** share of backfilled calls that are candidates, 0–1 (default 0.02) */
  backfillShare?: number;
  /** most backfilled calls recorded (default 50) */
  backfillMax?: number;
  /** calls first answered before this instant (epoch ms) are the backfill's (default: none) */
  backfillUntilMs?: number;
  /** uploads at once (default 2) */
  concurrency?: number;
  /** tries per recording before it is given up (default 5) */
  maxTries?: number;
  /** finished calls waiting for an upload, beyond which new ones are dropped (default 500) */
  maxQueued?: number;
  /** first back-off in ms when no Retry-After came (default 1000; doubles, at most 60 s) */
  backoffMs?: number;
  /** distinct per run, so the same call id in another run sounds different (default '') */
  salt?: string;
  log?: (entry: Record<string, unknown>) => void;
  fetch?: typeof fetch;
}

export interface RecorderStats {
  /** calls being followed now */
  following: number;
  /** finished, waiting for an upload slot */
  queued: number;
  /** backfill sample held until the backfill is sent */
  backfillHeld: number;
  uploaded: number;
  duplicates: number;
  retries: number;
  failed: number;
  dropped: number;
  bytes: number;
}

const MAX_BACKOFF_MS = 60_000;

/** Turns `--ingest ws://h:p/v1/ingest` into the server's base URL `http://h:p`. */
export function recordUrlFromIngest(ingest: string): string {
  const u = new URL(ingest);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  return `${u.protocol}//${u.host}`;
}

export class CallRecorder {
  private readonly tracks = new Map<string, Track>();
  private readonly queue: Take[] = [];
  /** the backfill sample, kept sorted by rank (ascending) */
  private backfill: Take[] = [];
  private released = false;
  private running = 0;
  private closed = false;
  private readonly inflight = new Set<AbortController>();
  private readonly idle = new Set<() => void>();
  private readonly sleepers = new Set<() => void>();
  private readonly share: number;
  private readonly backfillShare: number;
  private readonly backfillMax: number;
  private readonly backfillUntilMs: number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly fetch: typeof fetch;
  private lastDropLog = 0;
  private readonly counts = { uploaded: 0, duplicates: 0, retries: 0, failed: 0, dropped: 0, bytes: 0 };

  constructor(private readonly opts: RecorderOptions) {
    this.share = opts.share ?? 1;
    this.backfillShare = opts.backfillShare ?? 0.02;
    this.backfillMax = opts.backfillMax ?? 50;
    this.backfillUntilMs = opts.backfillUntilMs ?? -Infinity;
    this.log = opts.log ?? (() => {});
    this.fetch = opts.fetch ?? fetch;
  }

  get stats(): RecorderStats {
    return { following: this.tracks.size, queued: this.queue.length, backfillHeld: this.released ? 0 : this.backfill.length, ...this.counts };
  }

  /** Follows one emitted event (synchronous, constant time). */
  observe(ev: CallboardEvent): void {
    if (this.closed) return;
    const ts = typeof ev.ts === 'number' ? ev.ts : Date.parse(ev.ts);
    switch (ev.type) {
      case 'call.answered': {
        let t = this.tracks.get(ev.call);
        if (!t) {
          t = this.start(ev.call, ts) ?? undefined;
          if (!t) return;
          this.tracks.set(ev.call, t);
        }
        if (!t.connected) {
          t.connected = true;
          t.held = false;
          t.since = ts;
        }
        return;
      }
      case 'call.hold':
      case 'call.unhold': {
        const t = this.tracks.get(ev.call);
        const hold = ev.type === 'call.hold';
        if (!t || !t.connected || t.held === hold) return;
        this.cut(t, ts);
        t.held = hold;
        return;
      }
      case 'call.transferred': {
        const t = this.tracks.get(ev.call);
        if (!t || !t.connected) return;
        this.cut(t, ts);
        t.connected = false;
        t.held = false;
        return;
      }
      case 'call.ended': {
        const t = this.tracks.get(ev.call);
        if (!t) return;
        this.tracks.delete(ev.call);
        if (t.connected) this.cut(t, ts);
        this.finished(t);
        return;
      }
      default:
        return;
    }
  }

  /** Whether a newly answered call is recorded; its track when it is. */
  private start(call: string, ts: number): Track | null {
    const backfill = ts < this.backfillUntilMs;
    const rank = unitHash(call, 'record');
    if (backfill) {
      if (rank >= this.backfillShare || this.backfillMax <= 0) return null;
      // the sample is full of smaller ranks already: this one would never be kept
      if (!this.released && this.backfill.length >= this.backfillMax && rank >= this.backfill[this.backfill.length - 1]!.rank) return null;
    } else if (rank >= this.share) return null;
    return { call, backfill, firstAnswerMs: ts, connected: false, held: false, since: ts, segments: [], rank };
  }

  private cut(t: Track, ts: number): void {
    const ms = ts - t.since;
    if (ms > 0) {
      const last = t.segments[t.segments.length - 1];
      if (last && last.silent === t.held) last.ms += ms;
      else t.segments.push({ ms, silent: t.held });
    }
    t.since = ts;
  }

  private finished(t: Track): void {
    if (!t.segments.some((s) => !s.silent)) return; // nothing connected but hold, or zero length
    const take: Take = { call: t.call, segments: t.segments, firstAnswerMs: t.firstAnswerMs, rank: t.rank };
    if (t.backfill && !this.released) {
      // keep the backfillMax smallest ranks, sorted
      let i = this.backfill.length;
      while (i > 0 && this.backfill[i - 1]!.rank > take.rank) i--;
      if (i >= this.backfillMax) return;
      this.backfill.splice(i, 0, take);
      if (this.backfill.length > this.backfillMax) this.backfill.pop();
      return;
    }
    this.enqueue(take);
  }

  /** The backfill's events are sent: its sample is uploaded in the background, oldest call first. */
  releaseBackfill(): void {
    if (this.released) return;
    this.released = true;
    const sample = this.backfill.sort((a, b) => a.firstAnswerMs - b.firstAnswerMs);
    this.backfill = [];
    if (sample.length) this.log({ msg: 'uploading the recordings of the backfill sample', count: sample.length, calls: sample.map((s) => s.call) });
    for (const take of sample) this.enqueue(take, true);
  }

  private enqueue(take: Take, force = false): void {
    if (this.closed) return;
    if (!force && this.queue.length >= (this.opts.maxQueued ?? 500)) {
      this.counts.dropped++;
      if (Date.now() - this.lastDropLog > 60_000) {
        this.lastDropLog = Date.now();
        this.log({ level: 'warn', msg: 'recording upload queue full: recordings dropped', dropped: this.counts.dropped, queued: this.queue.length });
      }
      return;
    }
    this.queue.push(take);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < (this.opts.concurrency ?? 2) && this.queue.length > 0) {
      const take = this.queue.shift()!;
      this.running++;
      void this.upload(take).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const f of this.idle) f();
          this.idle.clear();
        }
      });
    }
  }

  private async upload(take: Take): Promise<void> {
    const body = buildRecording(this.opts.audio, take.segments, Math.floor(unitHash(take.call, 'offset') * this.opts.audio.frames));
    const url = `${this.opts.url}/v1/recordings/${encodeURIComponent(take.call)}?channels=agent,customer`;
    const maxTries = this.opts.maxTries ?? 5;
    let backoff = this.opts.backoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return;
      let status = 0;
      let retryAfterS = NaN;
      let error = '';
      const abort = new AbortController();
      this.inflight.add(abort);
      try {
        const r = await this.fetch(url, {
          method: 'PUT',
          headers: { authorization: `Bearer ${this.opts.key}`, 'content-type': 'audio/wav' },
          body,
          signal: abort.signal,
        });
        status = r.status;
        retryAfterS = Number(r.headers.get('retry-after') ?? NaN);
        error = status >= 300 ? (await r.text().catch(() => '')).slice(0, 300) : '';
        if (status < 300) await r.body?.cancel().catch(() => undefined);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      } finally {
        this.inflight.delete(abort);
      }
      if (this.closed) return;
      if (status === 200 || status === 202) {
        if (status === 200) this.counts.duplicates++;
        this.counts.uploaded++;
        this.counts.bytes += body.length;
        this.log({ level: 'debug', msg: 'recording uploaded', call: take.call, bytes: body.length, seconds: body.length / 2 / this.opts.audio.sampleRate });
        return;
      }
      const transient = status === 0 || status === 429 || status >= 500;
      if (!transient || attempt >= maxTries) {
        this.counts.failed++;
        this.log({ level: 'warn', msg: 'recording upload given up', call: take.call, status, attempts: attempt, error });
        return;
      }
      this.counts.retries++;
      const waitMs = Number.isFinite(retryAfterS) && retryAfterS >= 0 ? retryAfterS * 1000 : backoff;
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      await this.sleep(Math.min(MAX_BACKOFF_MS, waitMs));
    }
  }

  /** Waits, or less when the recorder closes. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** Resolves when every finished call is uploaded or given up (or `timeoutMs` passed): the end of a finite run. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.running === 0 && this.queue.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.idle.add(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Stops: uploads in flight are aborted, waiting ones dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.inflight) a.abort();
    for (const w of [...this.sleepers]) w();
    const left = this.queue.length + this.backfill.length;
    this.queue.length = 0;
    this.backfill = [];
    this.log({ msg: 'recorder stopped', ...this.stats, not_uploaded: left + this.running });
  }
}

/** The simulator's sink with the recorder listening in: every event goes on to `inner` first. */
export class RecordingSink implements EventSink {
  constructor(
    readonly inner: EventSink,
    private readonly recorder: CallRecorder,
  ) {}
  write(event: CallboardEvent): void {
    this.inner.write(event);
    this.recorder.observe(event);
  }
  get backlogged(): boolean {
    return this.inner.backlogged;
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
