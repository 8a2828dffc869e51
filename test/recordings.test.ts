/**
 * Recordings (issue 9, point 1) against the real server process and chDB, on audio made here
 * with ffmpeg lavfi and on the shared real call: figures on constructed audio, peaks, the
 * rendition, Range, bad input, the full queue, idempotent re-upload, limits, and RBAC of every
 * recordings route.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodedSeconds, probeFile, toneAndNoise } from './helpers/audio.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const REAL_CALL = new URL('../../shared/data/audio/call-60s-stereo-agentL-customerR-mulaw-8k.wav', import.meta.url);
const MAX_BYTES = 8_000_000;
const dir = tempDataDir('recordings');
const audio = tempDataDir('recordings-audio');
let server: ServerProcess;
let admin = '';

interface Recording {
  call: string;
  status: string;
  error?: string;
  duration_s: number | null;
  channels: string[];
  media_url: string | null;
  media_type: string | null;
  peaks_url: string | null;
  speech: Record<'agent_talk_s' | 'customer_talk_s' | 'silence_ratio' | 'longest_silence_s' | 'talk_over_s' | 'agent_talk_ratio', number | null>;
}
interface PeaksBody {
  pps: number;
  length: number;
  duration_s: number;
  data: number[][];
}

function upload(call: string, body: Buffer, query = '', auth = `Bearer ${TEST_INGEST_KEY}`): Promise<Response> {
  return fetch(`${server.url}/v1/recordings/${encodeURIComponent(call)}${query}`, { method: 'PUT', headers: auth ? { authorization: auth } : {}, body });
}

async function get<T>(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers; raw: Buffer }> {
  const r = await fetch(`${server.url}${path}`, { headers: { cookie: admin, ...headers } });
  const raw = Buffer.from(await r.arrayBuffer());
  let body: unknown = null;
  if ((r.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(raw.toString('utf8'));
  return { status: r.status, body: body as T, headers: r.headers, raw };
}

/** Polls the recording until it leaves `processing`. */
async function settled(call: string, timeoutMs = 60_000): Promise<Recording> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await get<Recording>(`/v1/recordings/${encodeURIComponent(call)}`);
    if (r.status === 200 && r.body.status !== 'processing') return r.body;
    if (Date.now() > deadline) throw new Error(`${call} still ${r.body?.status ?? r.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function make(name: string, o: Parameters<typeof toneAndNoise>[1]): Buffer {
  const file = join(audio, name);
  toneAndNoise(file, o);
  return readFileSync(file);
}

beforeAll(async () => {
  server = await ServerProcess.start(dir, { RECORDINGS_JOBS: '1', RECORDINGS_QUEUE: '3', RECORDINGS_MAX_BYTES: String(MAX_BYTES) });
  admin = await server.login();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
  removeDir(audio);
});

describe('pipeline on constructed audio', () => {
  // agent (left): 440 Hz tone 0–2 s; customer (right): noise 1.5–4 s; 5 s in all
  const AGENT: [number, number] = [0, 2];
  const CUSTOMER: [number, number] = [1.5, 4];

  it('stereo tone + noise: duration, speech figures and per-channel peaks', async () => {
    const r = await upload('tone-1', make('tone.wav', { total: 5, left: AGENT, right: CUSTOMER }), '?channels=agent,customer');
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ call: 'tone-1', status: 'processing' });
    const rec = await settled('tone-1');
    expect(rec.status).toBe('ready');
    expect(rec.channels).toEqual(['agent', 'customer']);
    expect(rec.duration_s).toBeCloseTo(5, 1);
    const s = rec.speech;
    expect(Math.abs(s.agent_talk_s! - 2)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(s.customer_talk_s! - 2.5)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(s.talk_over_s! - 0.5)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(s.silence_ratio! - 0.2)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(s.longest_silence_s! - 1)).toBeLessThanOrEqual(0.05);
    expect(s.agent_talk_ratio!).toBeCloseTo(2 / 4.5, 2);

    // the rendition: its own header and its decoded audio say 5 s
    const media = await get<null>(rec.media_url!);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe(rec.media_type);
    const file = join(audio, 'tone-rendition');
    writeFileSync(file, media.raw);
    expect(Math.abs(probeFile(file).duration - 5)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(decodedSeconds(file) - 5)).toBeLessThanOrEqual(0.1);

    // peaks follow each channel's energy, at every level
    for (const pps of [10, 50, 200]) {
      const p = await get<PeaksBody>(`/v1/recordings/tone-1/peaks?pps=${pps}`);
      expect(p.status).toBe(200);
      expect(p.body.pps).toBe(pps);
      expect(p.body.length).toBe(5 * pps);
      const amp = (ch: number, t0: number, t1: number) => {
        let m = 0;
        for (let b = Math.ceil(t0 * pps); b < Math.floor(t1 * pps); b++) m = Math.max(m, -p.body.data[ch]![2 * b]!, p.body.data[ch]![2 * b + 1]!);
        return m;
      };
      expect(amp(0, 0.1, 1.9)).toBeGreaterThan(10); // tone
      expect(amp(0, 2.1, 5)).toBeLessThanOrEqual(1); // agent quiet after 2 s
      expect(amp(1, 0, 1.4)).toBeLessThanOrEqual(1); // customer quiet before 1.5 s
      expect(amp(1, 1.6, 3.9)).toBeGreaterThan(30); // noise
      expect(amp(1, 4.1, 5)).toBeLessThanOrEqual(1);
    }
    expect((await get(`/v1/recordings/tone-1/peaks?pps=7`)).status).toBe(400);
  });

  it('μ-law WAV with channels=customer,agent: the figures follow the mapping', async () => {
    // left = customer tone 0–2 s, right = agent noise 1.5–4 s
    const r = await upload('mulaw-1', make('mulaw.wav', { total: 5, left: AGENT, right: CUSTOMER, codec: 'pcm_mulaw' }), '?channels=customer,agent');
    expect(r.status).toBe(202);
    const rec = await settled('mulaw-1');
    expect(rec.status).toBe('ready');
    expect(rec.channels).toEqual(['customer', 'agent']);
    expect(Math.abs(rec.speech.customer_talk_s! - 2)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rec.speech.agent_talk_s! - 2.5)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rec.speech.talk_over_s! - 0.5)).toBeLessThanOrEqual(0.05);
  });

  it('the shared real call (μ-law, agent left, customer right) is ready with plausible figures', async () => {
    const r = await upload('real-1', readFileSync(REAL_CALL), '?channels=agent,customer');
    expect(r.status).toBe(202);
    const rec = await settled('real-1');
    expect(rec.status).toBe('ready');
    expect(Math.abs(rec.duration_s! - 60)).toBeLessThanOrEqual(0.1);
    const s = rec.speech;
    // a two-party conversation: both talk a fair share, little silence, some overlap
    expect(s.agent_talk_s!).toBeGreaterThan(10);
    expect(s.customer_talk_s!).toBeGreaterThan(10);
    expect(s.agent_talk_s! + s.customer_talk_s!).toBeLessThan(60 + s.talk_over_s!);
    expect(s.silence_ratio!).toBeGreaterThanOrEqual(0);
    expect(s.silence_ratio!).toBeLessThan(0.5);
    expect(s.longest_silence_s!).toBeLessThan(15);
    expect(s.talk_over_s!).toBeLessThan(15);
    expect(s.agent_talk_ratio!).toBeGreaterThan(0.2);
    expect(s.agent_talk_ratio!).toBeLessThan(0.8);
  });

  it('mono with channels=mixed: silence figures, no per-party figures; a stereo layout on mono fails clearly', async () => {
    const mono = join(audio, 'mono.wav');
    toneAndNoise(join(audio, 'st.wav'), { total: 3, left: [0, 1], right: [2, 3] });
    const { ffmpeg } = await import('./helpers/audio.ts');
    ffmpeg(['-i', join(audio, 'st.wav'), '-ac', '1', mono]);
    expect((await upload('mono-1', readFileSync(mono), '?channels=mixed')).status).toBe(202);
    const rec = await settled('mono-1');
    expect(rec.status).toBe('ready');
    expect(rec.channels).toEqual(['mixed']);
    expect(rec.speech.agent_talk_s).toBeNull();
    expect(rec.speech.talk_over_s).toBeNull();
    expect(Math.abs(rec.speech.longest_silence_s! - 1)).toBeLessThanOrEqual(0.05);
    expect((await upload('mono-2', readFileSync(mono), '?channels=agent,customer')).status).toBe(202);
    const bad = await settled('mono-2');
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/stereo file; this one is mono/);
  });
});

describe('serving', () => {
  it('Range returns exactly the requested bytes (206), 416 for a bad range', async () => {
    const whole = await get<null>('/v1/recordings/real-1/media');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const size = whole.raw.length;
    expect(Number(whole.headers.get('content-length'))).toBe(size);
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=100-199', 100, 199],
      ['bytes=500000-', 500000, size - 1],
      ['bytes=-1000', size - 1000, size - 1],
      [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1],
    ];
    for (const [range, a, b] of cases) {
      const r = await get<null>('/v1/recordings/real-1/media', { range });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes ${a}-${b}/${size}`);
      expect(r.raw.equals(whole.raw.subarray(a, b + 1)), range).toBe(true);
    }
    for (const range of [`bytes=${size}-`, 'bytes=10-5', 'bytes=-0']) {
      const r = await get<null>('/v1/recordings/real-1/media', { range });
      expect(r.status, range).toBe(416);
      expect(r.headers.get('content-range')).toBe(`bytes */${size}`);
    }
  });

  it('a call id with a slash, a space and non-ASCII works through percent-encoding', async () => {
    const call = 'pbx-1/ä b';
    expect((await upload(call, make('odd.wav', { total: 2, left: [0, 1], right: [1, 2] }))).status).toBe(202);
    const rec = await settled(call);
    expect(rec).toMatchObject({ call, status: 'ready', media_url: `/v1/recordings/${encodeURIComponent(call)}/media` });
    expect((await get<null>(rec.media_url!)).status).toBe(200);
  });

  it('unknown call 404; not ready 409', async () => {
    expect((await get('/v1/recordings/nope')).status).toBe(404);
    expect((await get('/v1/recordings/nope/media')).status).toBe(404);
  });
});

describe('bad input and limits', () => {
  it('garbage and truncated audio end failed with a clear error; the server keeps serving', async () => {
    const garbage = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 251));
    expect((await upload('garbage-1', garbage)).status).toBe(202);
    const real = readFileSync(REAL_CALL);
    expect((await upload('trunc-1', real.subarray(0, 300_000))).status).toBe(202);
    expect((await upload('header-only-1', real.subarray(0, 44))).status).toBe(202);
    const g = await settled('garbage-1');
    expect(g.status).toBe('failed');
    expect(g.error).toMatch(/^not a supported audio file: .*Invalid data/);
    expect(g.error).not.toContain(dir);
    const t = await settled('trunc-1');
    expect(t.status).toBe('failed');
    expect(t.error).toMatch(/^truncated: the file holds 18\.\d s of the 60\.0 s its header declares/);
    expect((await settled('header-only-1')).status).toBe('failed');
    expect((await get<null>('/v1/recordings/garbage-1/media')).status).toBe(409);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await get<Recording>('/v1/recordings/real-1')).body.status).toBe('ready');
  });

  it('a re-upload of identical content is idempotent; a failed one is processed again', async () => {
    const body = readFileSync(REAL_CALL);
    const r = await upload('real-1', body, '?channels=agent,customer');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ call: 'real-1', status: 'ready', duplicate: true });
    const again = await upload('trunc-1', body.subarray(0, 300_000));
    expect(again.status).toBe(202);
    expect((await settled('trunc-1')).status).toBe('failed');
  });

  it('refuses a body over RECORDINGS_MAX_BYTES (413), a bad call id or channels (400), no body (400)', async () => {
    expect((await upload('big-1', Buffer.alloc(MAX_BYTES + 1))).status).toBe(413);
    expect((await upload('x'.repeat(129), Buffer.alloc(10))).status).toBe(400);
    const ch = await upload('c-ch', Buffer.alloc(10), '?channels=left,right');
    expect(ch.status).toBe(400);
    expect(((await ch.json()) as { error: string }).error).toMatch(/^channels: must be one of/);
    expect((await upload('empty-1', Buffer.alloc(0))).status).toBe(400);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a full job queue answers 429 with Retry-After; the admitted ones are processed', async () => {
    // RECORDINGS_JOBS=1, RECORDINGS_QUEUE=3: 8 three-minute uploads at once
    const files = Array.from({ length: 8 }, (_, i) => make(`q${i}.wav`, { total: 180, left: [0, 90], right: [60, 180], codec: 'pcm_mulaw', freq: 300 + i * 10 }));
    const answers = await Promise.all(files.map((f, i) => upload(`queue-${i}`, f)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await a.json()) as { error: string }).error).toMatch(/queue full/);
    }
    for (const [i, s] of statuses.entries()) if (s === 202) expect((await settled(`queue-${i}`)).status).toBe('ready');
  });
});

describe('RBAC', () => {
  const CALLERS = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'lead', 'display', 'ingest', 'nobody'] as const;
  type Caller = (typeof CALLERS)[number];
  const creds = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    creds.set('admin', { cookie: admin });
    const roles: Partial<Record<Caller, string[]>> = { manager: ['manager'], supervisor: ['supervisor'], qa: ['qa'], agent: ['agent'], lead: ['agent', 'qa'] };
    for (const [name, r] of Object.entries(roles)) {
      const res = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: name, password: `${name}-password-1`, roles: r }) });
      expect(res.status).toBeLessThan(300);
      creds.set(name as Caller, { cookie: await server.login(name, `${name}-password-1`) });
    }
    const boards = (await (await fetch(`${server.url}/v1/boards`, { headers: { cookie: admin } })).json()) as { boards: { id: string }[] };
    const tok = await fetch(`${server.url}/v1/display-tokens`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ name: 'tv', boards: [boards.boards[0]!.id] }) });
    creds.set('display', { authorization: `Bearer ${((await tok.json()) as { token: string }).token}` });
    creds.set('ingest', { authorization: `Bearer ${TEST_INGEST_KEY}` });
    creds.set('nobody', {});
  });

  const READERS: Caller[] = ['admin', 'manager', 'supervisor', 'qa', 'lead'];
  for (const path of ['/v1/recordings/real-1', '/v1/recordings/real-1/media', '/v1/recordings/real-1/peaks?pps=50']) {
    it(`GET ${path}: admin, supervisor, qa, manager (a user with qa among roles); an agent who did not handle the call 404; others 403, nobody 401`, async () => {
      for (const c of CALLERS) {
        const r = await fetch(`${server.url}${path}`, { headers: creds.get(c)! });
        await r.arrayBuffer();
        expect(r.status, c).toBe(READERS.includes(c) ? 200 : c === 'agent' ? 404 : c === 'nobody' ? 401 : 403);
      }
    });
  }

  it('PUT /v1/recordings/:call: only the ingest scope', async () => {
    const body = readFileSync(REAL_CALL);
    for (const c of CALLERS) {
      const r = await fetch(`${server.url}/v1/recordings/real-1?channels=agent,customer`, { method: 'PUT', headers: creds.get(c)!, body });
      await r.arrayBuffer();
      expect(r.status, c).toBe(c === 'ingest' ? 200 : c === 'nobody' ? 401 : 403);
    }
  });
});

describe('startup', () => {
  it('a bad FFMPEG_PATH stops the server with a message naming it', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const d = tempDataDir('recordings-ffmpeg');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: d, SIMULATOR: 'off', FFMPEG_PATH: join(d, 'no-ffmpeg') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    removeDir(d);
    expect(code).toBe(2);
    expect(out).toMatch(/configuration error: FFMPEG_PATH: ffmpeg at .*no-ffmpeg does not run/);
  });
});
