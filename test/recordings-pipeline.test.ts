/**
 * The recordings pipeline in-process on real chDB: the Opus/WebM rendition (cues before the
 * first cluster, so a browser seeks without reading the whole file; duration right; decodes
 * from a seek point) and the retention sweep (audio deleted, rows expired, one audit row).
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../ingest/recordings/ffmpeg.ts';
import { processRecording } from '../ingest/recordings/pipeline.ts';
import { RecordingService } from '../ingest/recordings/service.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { TABLES } from '../schemas/tables.ts';
import { decodedSeconds, probeFile, toneAndNoise } from './helpers/audio.ts';
import { removeDir, tempDataDir } from './helpers/server-process.ts';
import { freshChdbStore } from './helpers/store.ts';

const ff = resolveFfmpeg(process.env.FFMPEG_PATH);
const work = tempDataDir('recordings-pipeline');
let store: ChdbStore;

beforeAll(async () => {
  store = await freshChdbStore('recordings-pipeline-store');
});
afterAll(async () => {
  await store?.close();
  removeDir(work);
});

const SEGMENT = 0x18538067;
const CUES = 0x1c53bb6b;
const CLUSTER = 0x1f43b675;

/** The element ids of a Matroska file's top level and of its Segment's children, in file order. */
function segmentChildren(d: Buffer): number[] {
  const vint = (p: number, keepMarker: boolean): [number, number] => {
    const b = d[p]!;
    let len = 1;
    let mask = 0x80;
    while (!(b & mask)) {
      mask >>= 1;
      len++;
    }
    let v = keepMarker ? b : b & (mask - 1);
    for (let i = 1; i < len; i++) v = v * 256 + d[p + i]!;
    return [v, len];
  };
  const ids: number[] = [];
  for (let p = 0; p < d.length; ) {
    const [id, il] = vint(p, true);
    const [size, sl] = vint(p + il, false);
    ids.push(id);
    p += il + sl + (id === SEGMENT ? 0 : size); // descend into the Segment
  }
  return ids;
}

describe('Opus/WebM rendition', () => {
  it('has its cues before the first cluster, the right duration, and decodes from a seek point', async () => {
    const src = join(work, 'two-min.wav');
    toneAndNoise(src, { total: 120, left: [0, 60], right: [50, 120], codec: 'pcm_mulaw' });
    const out = join(work, 'two-min');
    const r = await processRecording(ff, src, out, { channels: 2, rendition: 'opus', timeoutMs: 60_000 });
    expect(r.analysis.duration_s).toBeCloseTo(120, 1);
    const webm = readFileSync(`${out}.webm`);
    const top = segmentChildren(webm);
    const cues = top.indexOf(CUES);
    const cluster = top.indexOf(CLUSTER);
    expect(cues).toBeGreaterThan(0);
    expect(cluster).toBeGreaterThan(0);
    expect(cues).toBeLessThan(cluster);
    expect(probeFile(`${out}.webm`).stream).toMatch(/opus/);
    expect(Math.abs(probeFile(`${out}.webm`).duration - 120)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(decodedSeconds(`${out}.webm`) - 120)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(decodedSeconds(`${out}.webm`, ['-ss', '100']) - 20)).toBeLessThanOrEqual(0.1);
    // peaks files at every level
    for (const pps of [10, 50, 200]) expect(JSON.parse(readFileSync(`${out}.peaks-${pps}.json`, 'utf8'))).toMatchObject({ pps, length: 120 * pps });
  });
});

describe('retention', () => {
  it('deletes audio older than RECORDINGS_TTL_DAYS, marks the rows expired and audits which', async () => {
    let now = Date.UTC(2026, 0, 1);
    const audits: string[][] = [];
    const svc = new RecordingService({
      dataDir: join(work, 'data'),
      ffmpeg: ff,
      store,
      log: () => undefined,
      audit: async (actor, action, target, detail) => {
        audits.push([actor, action, target, detail]);
        await store.insertRows(TABLES.audit, [{ ts: now, actor, action, target, detail }]);
      },
      maxJobs: 1,
      maxQueue: 10,
      maxBytes: 1e8,
      ttlDays: 30,
      rendition: 'wav',
      now: () => now,
    });
    await svc.start();
    const src = join(work, 'short.wav');
    toneAndNoise(src, { total: 3, left: [0, 1], right: [1, 2] });
    const put = async (call: string, file: string, sha: string) => {
      const tmp = svc.tempFile();
      copyFileSync(file, tmp);
      svc.admit();
      await svc.accept({ call, channels: 'agent,customer', tempFile: tmp, sha256: sha, bytes: readFileSync(file).length, source: 'test' });
    };
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(readFileSync(src)).digest('hex');
    await put('old-1', src, sha);
    await svc.whenIdle();
    const old = (await svc.get('old-1'))!;
    expect(old.status).toBe('ready');
    expect(existsSync(svc.abs(old.media_path))).toBe(true);

    const src2 = join(work, 'short2.wav');
    toneAndNoise(src2, { total: 3, left: [0, 2], right: [1, 3] });
    const sha2 = createHash('sha256').update(readFileSync(src2)).digest('hex');
    now += 20 * 86_400_000;
    await put('new-1', src2, sha2);
    await svc.whenIdle();

    now += 11 * 86_400_000; // old-1 is 31 days old, new-1 11
    expect((await svc.sweep()).expired).toEqual(['old-1']);
    const expired = (await svc.get('old-1'))!;
    expect(expired.status).toBe('expired');
    expect(expired.duration_s).toBeCloseTo(3, 1); // figures stay
    expect(existsSync(svc.abs(old.media_path))).toBe(false);
    expect(existsSync(svc.abs(old.original_path))).toBe(false);
    const fresh = (await svc.get('new-1'))!;
    expect(fresh.status).toBe('ready');
    expect(existsSync(svc.abs(fresh.media_path))).toBe(true);
    expect(audits).toEqual([['system', 'recordings_expired', '1 recordings', 'older than 30 days: old-1']]);
    const rows = await store.query<{ n: string }>(`SELECT count() AS n FROM ${TABLES.audit} WHERE action = 'recordings_expired'`);
    expect(Number(rows[0]!.n)).toBe(1);
    expect((await svc.sweep()).expired).toEqual([]); // nothing twice
    svc.close();
  });
});

describe('restart', () => {
  it('queues again the recordings a previous run left processing', async () => {
    const opts = {
      dataDir: join(work, 'data-restart'),
      ffmpeg: ff,
      store,
      log: () => undefined,
      audit: async () => undefined,
      maxJobs: 1,
      maxQueue: 10,
      maxBytes: 1e8,
      ttlDays: 0,
      rendition: 'wav' as const,
    };
    const first = new RecordingService(opts);
    await first.start();
    first.close(); // a stopped process: accepted, never processed
    const src = join(work, 'restart.wav');
    toneAndNoise(src, { total: 2, left: [0, 1], right: [1, 2] });
    const tmp = first.tempFile();
    copyFileSync(src, tmp);
    const { createHash } = await import('node:crypto');
    first.admit();
    await first.accept({ call: 'restart-1', channels: null, tempFile: tmp, sha256: createHash('sha256').update(readFileSync(src)).digest('hex'), bytes: 1, source: 'test' });
    expect((await first.get('restart-1'))!.status).toBe('processing');

    const second = new RecordingService(opts);
    await second.start();
    await second.whenIdle();
    expect(await second.get('restart-1')).toMatchObject({ status: 'ready', channels: ['agent', 'customer'] });
    second.close();
  });
});
