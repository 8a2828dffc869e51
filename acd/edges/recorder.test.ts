import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { parseCli } from '../cli.ts';
import { ArraySink } from '../sim/sink.ts';
import {
  buildRecording,
  CallRecorder,
  loadDemoAudio,
  MULAW_SILENCE,
  parseMulawWav,
  RecordingSink,
  recordUrlFromIngest,
  unitHash,
  type DemoAudio,
  type RecorderOptions,
} from './recorder.ts';

const HEADER = 58;
const T0 = Date.UTC(2026, 10, 30, 9);

/** A small source whose frames are recognisable: frame i is (i % 200, 200 + i % 50). */
function fakeAudio(frames = 1000): DemoAudio {
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) {
    data[2 * i] = i % 200;
    data[2 * i + 1] = 200 + (i % 50);
  }
  return { sampleRate: 1000, data, frames };
}

interface Put {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A fetch that records PUTs and answers from `answers` (then 202). */
function fakeFetch(answers: (number | Error | { status: number; retryAfter: string })[] = []) {
  const puts: Put[] = [];
  const fn = (async (url: string | URL | Request, init?: RequestInit) => {
    puts.push({ url: String(url), headers: init!.headers as Record<string, string>, body: Buffer.from(init!.body as Buffer) });
    const a = answers.shift() ?? 202;
    if (a instanceof Error) throw a;
    const status = typeof a === 'number' ? a : a.status;
    const headers = typeof a === 'number' ? {} : { 'retry-after': a.retryAfter };
    return new Response(status === 202 || status === 200 ? '{}' : 'nope', { status, headers });
  }) as typeof fetch;
  return { fn, puts };
}

function recorder(o: Partial<RecorderOptions> & { fetch: typeof fetch }, logs: Record<string, unknown>[] = []): CallRecorder {
  return new CallRecorder({ url: 'http://srv:1', key: 'k-0123456789abcdef', audio: fakeAudio(), backoffMs: 1, log: (e) => logs.push(e), ...o });
}

let n = 0;
const ev = (type: string, call: string, at: number, extra: Record<string, unknown> = {}): CallboardEvent =>
  ({ id: `e${n++}`, type, ts: T0 + at, call, agent: 'a1', ...extra }) as unknown as CallboardEvent;

/** Splits a built recording's data into runs of talk (T) and silence (S), in frames. */
function runs(wav: Buffer): string {
  const out: [string, number][] = [];
  for (let p = HEADER; p < wav.length; p += 2) {
    const k = wav[p] === MULAW_SILENCE && wav[p + 1] === MULAW_SILENCE ? 'S' : 'T';
    const last = out[out.length - 1];
    if (last && last[0] === k) last[1]++;
    else out.push([k, 1]);
  }
  return out.map(([k, c]) => `${k}${c}`).join(' ');
}

describe('demo audio and the WAV', () => {
  it('reads the shipped demo call: stereo μ-law, 8 kHz, 60 s', () => {
    const a = loadDemoAudio();
    expect(a.sampleRate).toBe(8000);
    expect(a.frames).toBe(480_000);
  });

  it('refuses audio it cannot cut', () => {
    expect(() => parseMulawWav(Buffer.from('hello'))).toThrow(/not a RIFF/);
    const pcm = buildRecording(fakeAudio(), [{ ms: 2000, silent: false }], 0);
    pcm.writeUInt16LE(1, 20); // format tag PCM
    expect(() => parseMulawWav(pcm)).toThrow(/μ-law/);
  });

  it('builds a μ-law stereo WAV of the talk time, silent on hold, speech resuming where it stopped', () => {
    const audio = fakeAudio();
    const wav = buildRecording(audio, [{ ms: 300, silent: false }, { ms: 200, silent: true }, { ms: 1250, silent: false }], 900);
    const back = parseMulawWav(wav);
    expect(back).toMatchObject({ sampleRate: 1000, frames: 1750 });
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(runs(wav)).toBe('T300 S200 T1250');
    const frame = (i: number) => [wav[HEADER + 2 * i], wav[HEADER + 2 * i + 1]];
    const src = (i: number) => [i % 200, 200 + (i % 50)];
    expect(frame(0)).toEqual(src(900)); // from the offset
    expect(frame(99)).toEqual(src(999));
    expect(frame(100)).toEqual(src(0)); // looped
    expect(frame(500)).toEqual(src(200)); // after the hold: where it stopped (900 + 300 = 1200 ≡ 200)
    expect(frame(1749)).toEqual(src((200 + 1249) % 1000));
  });

  it('hashes call ids uniformly', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => unitHash(`run-c-${i.toString(36)}`, 'record'));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const low = xs.filter((x) => x < 0.1).length;
    expect(low).toBeGreaterThan(850);
    expect(low).toBeLessThan(1150);
  });
});

describe('CallRecorder', () => {
  it('records the connected time: talk, hold as silence, a blind transfer wait left out, an attended hand-over continuous', async () => {
    const f = fakeFetch();
    const r = recorder({ fetch: f.fn });
    const sink = new RecordingSink(new ArraySink(), r);
    sink.write(ev('call.offered', 'c1', 0, { direction: 'inbound' }));
    sink.write(ev('call.answered', 'c1', 1000));
    sink.write(ev('call.hold', 'c1', 3000));
    sink.write(ev('call.unhold', 'c1', 4000));
    sink.write(ev('call.transferred', 'c1', 5000, { to_queue: 'q2', kind: 'blind' }));
    sink.write(ev('call.queued', 'c1', 5000, { queue: 'q2' }));
    sink.write(ev('call.answered', 'c1', 9000, { agent: 'a2' })); // 4 s in the queue: not recorded
    // attended: hold while consulting, unhold + transferred + answered in one millisecond
    sink.write(ev('call.hold', 'c1', 10_000, { agent: 'a2' }));
    sink.write(ev('call.unhold', 'c1', 10_500, { agent: 'a2' }));
    sink.write(ev('call.transferred', 'c1', 10_500, { agent: 'a2', to_agent: 'a3', kind: 'attended' }));
    sink.write(ev('call.answered', 'c1', 10_500, { agent: 'a3' }));
    expect(f.puts).toHaveLength(0);
    expect(r.stats.following).toBe(1);
    sink.write(ev('call.ended', 'c1', 12_000, { by: 'caller' }));
    expect((sink.inner as ArraySink).events).toHaveLength(12); // every event went on
    await r.drain(1000);
    expect(f.puts).toHaveLength(1);
    const put = f.puts[0]!;
    expect(put.url).toBe('http://srv:1/v1/recordings/c1?channels=agent,customer');
    expect(put.headers.authorization).toBe('Bearer k-0123456789abcdef');
    // 2 s talk, 1 s hold, 1 s talk | 1 s talk, 0.5 s hold, 1.5 s talk = 7 s
    expect(runs(put.body)).toBe('T2000 S1000 T2000 S500 T1500');
    expect(r.stats).toMatchObject({ uploaded: 1, following: 0, failed: 0 });
  });

  it('skips unanswered calls, calls never connected but on hold, and calls outside the share', async () => {
    const f = fakeFetch();
    const r = recorder({ fetch: f.fn, share: 0.5 });
    for (let i = 0; i < 400; i++) {
      const c = `run-c-${i}`;
      r.observe(ev('call.answered', c, i * 10));
      r.observe(ev('call.ended', c, i * 10 + 5000, { by: 'agent' }));
    }
    r.observe(ev('call.queued', 'x-abandoned', 0, { queue: 'q' }));
    r.observe(ev('call.ended', 'x-abandoned', 10, { by: 'caller' }));
    await r.drain(5000);
    const calls = f.puts.map((p) => /recordings\/([^?]+)/.exec(p.url)![1]);
    expect(calls.length).toBeGreaterThan(160);
    expect(calls.length).toBeLessThan(240);
    for (const c of calls) expect(unitHash(c!, 'record')).toBeLessThan(0.5);
    expect(calls).not.toContain('x-abandoned');
  });

  it('samples the backfill uniformly, at most backfillMax, and uploads it only once released, oldest first', async () => {
    const f = fakeFetch();
    const logs: Record<string, unknown>[] = [];
    const r = recorder({ fetch: f.fn, backfillShare: 0.1, backfillMax: 20, backfillUntilMs: T0 + 10_000_000 }, logs);
    const candidates: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const c = `b-c-${i}`;
      if (unitHash(c, 'record') < 0.1) candidates.push(c);
      r.observe(ev('call.answered', c, i * 5000));
      r.observe(ev('call.ended', c, i * 5000 + 3000, { by: 'agent' }));
    }
    // a call answered after backfillUntilMs is a real-time one: uploaded at once
    r.observe(ev('call.answered', 'live-1', 10_000_000));
    r.observe(ev('call.ended', 'live-1', 10_002_000, { by: 'agent' }));
    await r.drain(1000);
    expect(f.puts.map((p) => p.url)).toEqual(['http://srv:1/v1/recordings/live-1?channels=agent,customer']);
    f.puts.length = 0;
    expect(r.stats.backfillHeld).toBe(20);
    expect(candidates.length).toBeGreaterThan(150);
    r.releaseBackfill();
    await r.drain(5000);
    const calls = f.puts.map((p) => /recordings\/([^?]+)/.exec(p.url)![1]!);
    expect(calls).toHaveLength(20);
    const expected = [...candidates].sort((a, b) => unitHash(a, 'record') - unitHash(b, 'record')).slice(0, 20);
    expect([...calls].sort()).toEqual([...expected].sort());
    const idx = calls.map((c) => Number(c.split('-')[2]));
    expect(idx).toEqual([...idx].sort((a, b) => a - b)); // oldest first
    expect(Math.max(...idx) - Math.min(...idx)).toBeGreaterThan(1000); // spread over the backfill
    expect(logs.find((l) => l.msg === 'uploading the recordings of the backfill sample')).toMatchObject({ count: 20 });
  });

  it('retries 429 (honouring Retry-After), 5xx and network errors; gives up after maxTries or on a 4xx, with a warning', async () => {
    const f = fakeFetch([{ status: 429, retryAfter: '0' }, new Error('ECONNREFUSED'), 503, 202, 500, 500, 500, 500, 401]);
    const logs: Record<string, unknown>[] = [];
    const r = recorder({ fetch: f.fn, maxTries: 4, concurrency: 1 }, logs);
    for (const c of ['ok', 'down', 'denied']) {
      r.observe(ev('call.answered', c, 0));
      r.observe(ev('call.ended', c, 2000, { by: 'agent' }));
    }
    await r.drain(5000);
    expect(f.puts.map((p) => /recordings\/([^?]+)/.exec(p.url)![1])).toEqual(['ok', 'ok', 'ok', 'ok', 'down', 'down', 'down', 'down', 'denied']);
    expect(r.stats).toMatchObject({ uploaded: 1, retries: 6, failed: 2 });
    const warns = logs.filter((l) => l.level === 'warn');
    expect(warns).toMatchObject([
      { msg: 'recording upload given up', call: 'down', status: 500, attempts: 4 },
      { msg: 'recording upload given up', call: 'denied', status: 401, attempts: 1 },
    ]);
  });

  it('never holds up the events: a bounded queue drops with a warning, at most `concurrency` uploads run', async () => {
    let open = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const slow = (async () => {
      open++;
      most = Math.max(most, open);
      await new Promise<void>((res) => release.push(res));
      open--;
      return new Response('{}', { status: 202 });
    }) as typeof fetch;
    const logs: Record<string, unknown>[] = [];
    const r = recorder({ fetch: slow, concurrency: 2, maxQueued: 3 }, logs);
    for (let i = 0; i < 10; i++) {
      r.observe(ev('call.answered', `q${i}`, 0));
      r.observe(ev('call.ended', `q${i}`, 1000, { by: 'agent' }));
    }
    expect(r.stats).toMatchObject({ queued: 3, dropped: 5 });
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    while (r.stats.uploaded < 5) {
      release.splice(0).forEach((f) => f());
      await new Promise((res) => setTimeout(res, 1));
    }
    expect(most).toBe(2);
    r.close();
  });

  it('close aborts uploads in flight and retry waits', async () => {
    const f = fakeFetch([{ status: 429, retryAfter: '3600' }]);
    const r = recorder({ fetch: f.fn });
    r.observe(ev('call.answered', 'w', 0));
    r.observe(ev('call.ended', 'w', 1000, { by: 'agent' }));
    await new Promise((res) => setTimeout(res, 10));
    expect(f.puts).toHaveLength(1);
    r.close();
    expect(await r.drain(1000)).toBe(true);
    expect(f.puts).toHaveLength(1);
  });
});

describe('command line', () => {
  const NOW = Date.UTC(2026, 0, 1);
  it('records with --ingest by default, to the ingest host over http', () => {
    expect(parseCli(['--scenario', 's', '--ingest', 'ws://h:8080/v1/ingest', '--key', 'k'], NOW).record).toEqual({
      url: 'http://h:8080',
      share: 1,
      backfillShare: 0.02,
      backfillMax: 50,
      audio: undefined,
    });
    expect(recordUrlFromIngest('wss://example.org/v1/ingest')).toBe('https://example.org');
    const o = parseCli(
      ['--scenario', 's', '--ingest', 'ws://h:1/v1/ingest', '--key', 'k', '--record-share', '0.5', '--record-backfill-share', '0', '--record-url', 'http://other:2/', '--record-audio', 'x.wav'],
      NOW,
    );
    expect(o.record).toMatchObject({ url: 'http://other:2', share: 0.5, backfillShare: 0, audio: 'x.wav' });
    expect(parseCli(['--scenario', 's', '--ingest', 'ws://h:1/v1/ingest', '--key', 'k', '--record-share', '0', '--record-backfill-share', '0'], NOW).record).toBeUndefined();
    expect(parseCli(['--scenario', 's', '--out', 'f'], NOW).record).toBeUndefined();
  });

  it('names the bad option', () => {
    const base = ['--scenario', 's', '--ingest', 'ws://h:1/v1/ingest', '--key', 'k'];
    expect(() => parseCli([...base, '--record-share', '1.5'], NOW)).toThrow(/--record-share must be a number from 0 to 1/);
    expect(() => parseCli([...base, '--record-backfill-share', 'x'], NOW)).toThrow(/--record-backfill-share must be/);
    expect(() => parseCli([...base, '--record-backfill-max', '2.5'], NOW)).toThrow(/--record-backfill-max must be/);
    expect(() => parseCli([...base, '--record-url', 'ftp://x'], NOW)).toThrow(/--record-url must be/);
    expect(() => parseCli(['--scenario', 's', '--out', 'f', '--record-share', '1'], NOW)).toThrow(/--record-\* options need --ingest/);
  });
});
