/**
 * The demo has recordings to play (issue 9, point 1): the server runs the ACD simulator on a
 * tiny scenario (a call every 4 s, 12 s each with a 4.8 s hold), and every real-time call and a
 * sample of the backfill come back as `ready` recordings: stereo agent/customer cut from the demo
 * call, as long as the call was connected, silent while on hold. Then the storage quota
 * (RECORDINGS_MAX_GB) in-process on chDB: the oldest uploads are expired with an audit row,
 * files a newer live recording shares stay.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecording, loadDemoAudio, unitHash } from '../acd/edges/recorder.ts';
import { resolveFfmpeg } from '../ingest/recordings/ffmpeg.ts';
import { processRecording } from '../ingest/recordings/pipeline.ts';
import { RecordingService } from '../ingest/recordings/service.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { TABLES } from '../schemas/tables.ts';
import { removeDir, ServerProcess, tempDataDir } from './helpers/server-process.ts';
import { freshChdbStore } from './helpers/store.ts';

interface Recording {
  call: string;
  status: string;
  error?: string;
  duration_s: number | null;
  channels: string[];
  sample_rate: number | null;
  original_format: string | null;
  media_url: string | null;
  speech: Record<'agent_talk_s' | 'customer_talk_s' | 'silence_ratio' | 'longest_silence_s' | 'talk_over_s' | 'agent_talk_ratio', number | null>;
}

const HANDLE_S = 12;
const HOLD_SHARE = 0.4;
const SCENARIO = {
  name: 'tiny-recorded',
  queues: [{ name: 'q1', sl_threshold_s: 20 }],
  agents: [{ id: 'a{n}', count: 6, queues: ['q1'] }],
  arrivals: [{ queue: 'q1', per_hour: 900 }],
  handle_time: { dist: 'fixed', mean_s: HANDLE_S, hold_prob: 1, hold_share: HOLD_SHARE },
  patience: { dist: 'infinite' },
  seed: 7,
};

/** G.711 μ-law → 16-bit linear, as ffmpeg decodes it. */
function ulaw(u: number): number {
  const x = ~u & 0xff;
  const t = (((x & 0x0f) << 3) + 0x84) << ((x & 0x70) >> 4);
  return x & 0x80 ? 0x84 - t : t - 0x84;
}

/** The data chunk of a WAV file. */
function wavData(buf: Buffer): Buffer {
  for (let p = 12; p + 8 <= buf.length; ) {
    const size = buf.readUInt32LE(p + 4);
    if (buf.toString('ascii', p, p + 4) === 'data') return buf.subarray(p + 8, p + 8 + size);
    p += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

describe('the simulator records its calls', () => {
  const dir = tempDataDir('demo-recordings');
  let server: ServerProcess;
  let admin = '';
  let liveFrom = 0;

  const get = async <T>(path: string): Promise<{ status: number; body: T; raw: Buffer }> => {
    const r = await fetch(`${server.url}${path}`, { headers: { cookie: admin } });
    const raw = Buffer.from(await r.arrayBuffer());
    return { status: r.status, body: ((r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(raw.toString()) : null) as T, raw };
  };
  const ready = async (call: string, timeoutMs = 90_000): Promise<Recording> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await get<Recording>(`/v1/recordings/${encodeURIComponent(call)}`);
      if (r.status === 200 && r.body.status !== 'processing') return r.body;
      if (Date.now() > deadline) throw new Error(`${call}: ${r.status} ${r.body?.status ?? ''} after ${timeoutMs} ms\n${server.logs.slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };
  const logLines = () =>
    server.logs
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    const scenario = join(dir, 'tiny.json');
    writeFileSync(scenario, JSON.stringify(SCENARIO));
    server = await ServerProcess.start(join(dir, 'data'), {
      SIMULATOR: 'on',
      SIMULATOR_SCENARIO: scenario,
      SIMULATOR_BACKFILL_DAYS: '1',
      SIMULATOR_RECORD_SHARE: '1',
      SIMULATOR_RECORD_BACKFILL_SHARE: '0.002',
      SIMULATOR_RECORD_BACKFILL_MAX: '3',
      LOG_LEVEL: 'info',
    });
    liveFrom = Date.now() + 2000;
    admin = await server.login();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    removeDir(dir);
  });

  it('real-time calls: ready, stereo agent/customer from the demo call, as long as the call, silent on hold', async () => {
    // three calls answered after the start, ended, with their events stored
    type Ev = { type: string; ts: number; call: string };
    let byCall = new Map<string, Ev[]>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      const evs = (await server.exportEvents(admin, { from: liveFrom })) as unknown as Ev[];
      byCall = new Map();
      for (const e of evs) if (e.call) byCall.set(e.call, [...(byCall.get(e.call) ?? []), e]);
      const done = [...byCall.values()].filter((es) => es.some((e) => e.type === 'call.answered') && es.some((e) => e.type === 'call.ended'));
      if (done.length >= 3) break;
      if (Date.now() > deadline) throw new Error(`no 3 ended calls after the start:\n${server.logs.slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const calls = [...byCall.entries()].filter(([, es]) => es.some((e) => e.type === 'call.answered') && es.some((e) => e.type === 'call.ended')).slice(0, 3);
    const audio = loadDemoAudio();
    let agentHeard = 0;
    let customerHeard = 0;
    for (const [call, es] of calls) {
      const at = (type: string) => es.find((e) => e.type === type)!.ts;
      const answered = at('call.answered');
      const talkS = (at('call.ended') - answered) / 1000;
      const hold: [number, number] = [(at('call.hold') - answered) / 1000, (at('call.unhold') - answered) / 1000];
      expect(talkS).toBeCloseTo(HANDLE_S, 1);
      expect(hold[1] - hold[0]).toBeCloseTo(HANDLE_S * HOLD_SHARE, 1);

      const rec = await ready(call);
      expect(rec).toMatchObject({ status: 'ready', channels: ['agent', 'customer'], sample_rate: 8000 });
      expect(rec.original_format).toMatch(/wav/);
      expect(Math.abs(rec.duration_s! - talkS)).toBeLessThanOrEqual(0.01);
      // the hold is the longest silence of the call (the demo call's own pauses are shorter)
      expect(rec.speech.longest_silence_s!).toBeGreaterThanOrEqual(hold[1] - hold[0] - 0.05);
      expect(rec.speech.agent_talk_s! + rec.speech.customer_talk_s!).toBeGreaterThan(1);

      // peaks: nothing on either channel while on hold
      const peaks = (await get<{ data: number[][]; length: number }>(`/v1/recordings/${encodeURIComponent(call)}/peaks?pps=50`)).body;
      expect(peaks.length).toBe(Math.round(talkS * 50));
      const amp = (ch: number, t0: number, t1: number) => {
        let m = 0;
        for (let b = Math.ceil(t0 * 50); b < Math.floor(t1 * 50); b++) m = Math.max(m, -peaks.data[ch]![2 * b]!, peaks.data[ch]![2 * b + 1]!);
        return m;
      };
      expect(amp(0, hold[0] + 0.03, hold[1] - 0.03)).toBe(0);
      expect(amp(1, hold[0] + 0.03, hold[1] - 0.03)).toBe(0);
      agentHeard += amp(0, 0, hold[0]) + amp(0, hold[1], talkS);
      customerHeard += amp(1, 0, hold[0]) + amp(1, hold[1], talkS);

      // the playback file: the demo call's left (agent) and right (customer) channels from the call's offset
      const media = wavData((await get<null>(rec.media_url!)).raw);
      const off = Math.floor(unitHash(call, 'offset') * audio.frames);
      const holdFrame = Math.round(hold[0] * 8000);
      let same = 0;
      for (let k = 0; k < holdFrame - 1; k += 7) {
        const src = (off + k) % audio.frames;
        if (media.readInt16LE(4 * k) === ulaw(audio.data[2 * src]!) && media.readInt16LE(4 * k + 2) === ulaw(audio.data[2 * src + 1]!)) same++;
      }
      expect(same).toBe(Math.ceil((holdFrame - 1) / 7));
      // after the hold, speech resumes where it stopped
      const k2 = Math.round(hold[1] * 8000) + 100;
      const src2 = (off + k2 - (Math.round(hold[1] * 8000) - holdFrame)) % audio.frames;
      expect(media.readInt16LE(4 * k2)).toBe(ulaw(audio.data[2 * src2]!));
    }
    expect(agentHeard).toBeGreaterThan(10);
    expect(customerHeard).toBeGreaterThan(10);
  }, 200_000);

  it('backfill: a sample of at most SIMULATOR_RECORD_BACKFILL_MAX calls is uploaded after the backfill', async () => {
    const deadline = Date.now() + 60_000;
    let line: Record<string, unknown> | undefined;
    while (!(line = logLines().find((l) => l.msg === 'uploading the recordings of the backfill sample'))) {
      if (Date.now() > deadline) throw new Error(`no backfill sample:\n${server.logs.slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    const calls = line.calls as string[];
    expect(line.count).toBe(3);
    expect(calls).toHaveLength(3);
    // it came after the backfill's events were sent
    const lines = logLines();
    const caughtUp = lines.findIndex((l) => l.msg === 'caught up with the wall clock');
    expect(caughtUp).toBeGreaterThanOrEqual(0);
    expect(caughtUp).toBeLessThan(lines.findIndex((l) => l.msg === 'uploading the recordings of the backfill sample'));
    for (const call of calls) {
      const rec = await ready(call);
      expect(rec.status).toBe('ready');
      expect(rec.duration_s!).toBeCloseTo(HANDLE_S, 1);
      expect(rec.speech.longest_silence_s!).toBeGreaterThanOrEqual(HANDLE_S * HOLD_SHARE - 0.05);
    }
    const ended = await server.exportEvents(admin, { to: liveFrom - 2000, type: 'call.ended' });
    expect(ended.length).toBeGreaterThan(15_000); // a day of calls, of which three are recorded
    expect(logLines().some((l) => l.level === 'warn' && String(l.msg).startsWith('recording upload'))).toBe(false);
  }, 120_000);
});

describe('storage quota (RECORDINGS_MAX_GB)', () => {
  const ff = resolveFfmpeg(process.env.FFMPEG_PATH);
  const work = tempDataDir('recordings-quota');
  let store: ChdbStore;
  const audio = loadDemoAudio();
  const file = (offsetS: number) => buildRecording(audio, [{ ms: 20_000, silent: false }], offsetS * 8000);

  beforeAll(async () => {
    store = await freshChdbStore('recordings-quota-store');
  });
  afterAll(async () => {
    await store?.close();
    removeDir(work);
  });

  const service = (name: string, maxGb: number, audits: string[][], now: () => number) =>
    new RecordingService({
      dataDir: join(work, name),
      ffmpeg: ff,
      store,
      log: () => undefined,
      audit: async (actor, action, target, detail) => {
        audits.push([actor, action, target, detail]);
        await store.insertRows(TABLES.audit, [{ ts: now(), actor, action, target, detail }]);
      },
      maxJobs: 1,
      maxQueue: 10,
      maxBytes: 1e8,
      ttlDays: 0,
      maxGb,
      rendition: 'wav',
      now,
    });
  const put = async (svc: RecordingService, call: string, body: Buffer) => {
    const tmp = svc.tempFile();
    writeFileSync(tmp, body);
    svc.admit();
    await svc.accept({ call, channels: 'agent,customer', tempFile: tmp, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length, source: 'test' });
    await svc.whenIdle();
  };

  it('expires the oldest uploads when the files pass the quota, keeps files a newer live recording shares, audits each check', async () => {
    // one recording's files (original, WAV rendition, peaks), made by the pipeline alone (no rows)
    let now = Date.UTC(2026, 0, 1);
    mkdirSync(join(work, 'probe'));
    const probe = join(work, 'probe', 'one');
    writeFileSync(probe, file(0));
    await processRecording(ff, probe, probe, { channels: 2, rendition: 'wav', timeoutMs: 60_000 });
    const one = readdirSync(join(work, 'probe')).reduce((sum, n) => sum + statSync(join(work, 'probe', n)).size, 0);
    expect(one).toBeGreaterThan(900_000);

    const audits: string[][] = [];
    const maxGb = (2.6 * one) / 1e9; // low water 0.9 × 2.6 = 2.34 recordings
    const svc = service('quota', maxGb, audits, () => now);
    await svc.start();
    const at = async (call: string, body: Buffer) => {
      now += 60_000;
      await put(svc, call, body);
    };
    await at('c1', file(1));
    await at('c2', file(2));
    expect(audits).toEqual([]);
    const c1 = (await svc.get('c1'))!;
    await at('c3', file(3)); // 3 recordings > 2.6: the oldest goes
    expect((await svc.get('c1'))!).toMatchObject({ status: 'expired', error: `audio deleted by the storage quota (RECORDINGS_MAX_GB=${maxGb})` });
    expect((await svc.get('c1'))!.duration_s).toBeCloseTo(20, 1); // figures stay
    expect(existsSync(svc.abs(c1.original_path))).toBe(false);
    expect(existsSync(svc.abs(c1.media_path))).toBe(false);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.slice(0, 3)).toEqual(['system', 'recordings_expired', '1 recordings']);
    expect(audits[0]![3]).toMatch(new RegExp(`^storage quota RECORDINGS_MAX_GB=${maxGb} exceeded \\(.* GB of recordings, .* GB after; oldest uploads first\\): c1$`));
    expect(svc.diskBytes).toBeLessThanOrEqual(maxGb * 1e9 * 0.9);

    // c4 has c2's audio: the same files, nothing more on disk
    await at('c4', file(2));
    expect(audits).toHaveLength(1);
    const c2 = (await svc.get('c2'))!;
    // c5 passes the quota: c2 (oldest) expires but its files stay for c4, so c3 goes too
    await at('c5', file(5));
    expect(audits).toHaveLength(2);
    expect(audits[1]![2]).toBe('2 recordings');
    expect(audits[1]![3]).toMatch(/: c2,c3$/);
    expect((await svc.get('c2'))!.status).toBe('expired');
    expect((await svc.get('c3'))!.status).toBe('expired');
    expect((await svc.get('c4'))!).toMatchObject({ status: 'ready', media_path: c2.media_path });
    expect(existsSync(svc.abs(c2.media_path))).toBe(true);
    expect((await svc.get('c5'))!.status).toBe('ready');
    expect(svc.diskBytes).toBeLessThanOrEqual(maxGb * 1e9 * 0.9);
    const rows = await store.query<{ n: string }>(`SELECT count() AS n FROM ${TABLES.audit} WHERE action = 'recordings_expired' AND detail LIKE 'storage quota%'`);
    expect(Number(rows[0]!.n)).toBe(2);
    svc.close();

    // at start: a smaller quota is applied before anything else
    const smaller = service('quota', (1.5 * one) / 1e9, audits, () => now);
    await smaller.start();
    expect(audits).toHaveLength(3);
    expect(audits[2]![3]).toMatch(/: c4$/);
    expect((await smaller.get('c5'))!.status).toBe('ready');
    smaller.close();
  }, 120_000);
});
