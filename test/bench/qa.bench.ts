/**
 * `npm run bench:qa` — the recordings pipeline (issue 9, point 5, the pipeline half).
 *
 * 1. Starts the server as users run it (bench-server.ts: fresh DATA_DIR, SIMULATOR=off).
 * 2. A 60-minute stereo μ-law WAV made with ffmpeg lavfi (agent: tone in 4 s turns, customer:
 *    noise in 4 s turns, a pause between) is uploaded; the clock runs from the first byte sent
 *    to the recording being `ready` (rendition playable, peaks and speech figures stored), and
 *    the bench then checks that the media answers a Range request and the peaks are served.
 *    Goal ≤ 5 s, must ≤ 10 s. (The bench runs `sync` after writing its test audio, so the
 *    flush of those files does not slow the pipeline's own writes.)
 * 3. 20 different 5-minute calls uploaded at once: wall time until all are ready, throughput
 *    (recordings/min) and the server's peak RSS during that phase (sampled every 50 ms).
 * 4. Waveform first paint: the QA player opened in Chromium on the ready 60-minute call, timed
 *    from navigation start to the waveform drawn from the precomputed peaks (the app's
 *    `qa-waveform-drawn` mark): the first visit (app not cached) and the median of 5 reloads.
 *    Goal ≤ 300 ms, must ≤ 500 ms. Skipped without Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 *
 * Flags: --rendition wav|opus (the server's RECORDINGS_RENDITION, default wav) --calls N (20)
 * --keep (leave the data dir).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FFMPEG } from '../helpers/audio.ts';
import { browserAvailable, launchChromium } from '../helpers/browser.ts';
import { callFlow } from '../helpers/events.ts';
import { exited, startBenchServer } from './bench-server.ts';
import { vmMB } from './proc.ts';

const { values: flags } = parseArgs({
  options: {
    rendition: { type: 'string', default: 'wav' },
    calls: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
const KEY = 'bench-ingest-key-0123456789';
const PASSWORD = 'bench-admin-password';
const RATE = 8000;

function lavfiCall(out: string, seconds: number, freq: number): void {
  const len = seconds * RATE;
  // a 10 s cycle: agent speaks 0–4 s, customer 4.5–8.5 s, then a pause
  const agent = `sine=f=${freq}:r=${RATE}:d=${seconds},volume='if(lt(mod(t,10),4),0.5,0)':eval=frame`;
  const customer = `anoisesrc=r=${RATE}:d=${seconds}:a=0.3:seed=${freq},volume='if(between(mod(t,10),4.5,8.5),1,0)':eval=frame`;
  const r = spawnSync(FFMPEG, [
    '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', agent, '-f', 'lavfi', '-i', customer,
    '-filter_complex', `[0][1]amerge=inputs=2,atrim=end_sample=${len}`, '-c:a', 'pcm_mulaw', out,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'callboard-bench-qa-'));
  const dataDir = join(work, 'data');
  console.log(`making test audio in ${work} …`);
  const long = join(work, 'long.wav');
  lavfiCall(long, 3600, 300);
  const calls = Number(flags.calls);
  const shorts = Array.from({ length: calls }, (_, i) => {
    const f = join(work, `short-${i}.wav`);
    lavfiCall(f, 300, 310 + i * 7);
    return f;
  });

  // the audio just written is still being flushed to disk: let that finish so it does not weigh on the pipeline's writes
  spawnSync('sync');
  const server = await startBenchServer({ dataDir, key: KEY, adminPassword: PASSWORD, env: { RECORDINGS_RENDITION: flags.rendition, LOG_LEVEL: 'warn' } });
  try {
    const login = await fetch(`${server.base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const state = async (call: string) => (await (await fetch(`${server.base}/v1/recordings/${call}`, { headers: { cookie } })).json()) as { status: string; error?: string; media_url: string; peaks_url: string; duration_s: number; speech: unknown };
    const waitReady = async (call: string) => {
      for (;;) {
        const s = await state(call);
        if (s.status === 'ready') return s;
        if (s.status === 'failed') throw new Error(`${call} failed: ${s.error}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const put = async (call: string, file: string) => {
      const r = await fetch(`${server.base}/v1/recordings/${call}?channels=agent,customer`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}` }, body: readFileSync(file) });
      if (r.status !== 202) throw new Error(`upload ${call}: ${r.status} ${await r.text()}`);
    };

    // 1. one 60-minute call
    const body = readFileSync(long);
    const t0 = performance.now();
    const r = await fetch(`${server.base}/v1/recordings/long-1?channels=agent,customer`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}` }, body });
    if (r.status !== 202) throw new Error(`upload: ${r.status} ${await r.text()}`);
    const tUploaded = performance.now();
    const ready = await waitReady('long-1');
    const tReady = performance.now();
    const range = await fetch(`${server.base}${ready.media_url}`, { headers: { cookie, range: 'bytes=1000000-1000999' } });
    const rangeBytes = (await range.arrayBuffer()).byteLength;
    const peaks = await fetch(`${server.base}${ready.peaks_url}`, { headers: { cookie } });
    const peaksOk = peaks.status === 200 && ((await peaks.json()) as { length: number }).length === 36000;
    if (range.status !== 206 || rangeBytes !== 1000 || !peaksOk) throw new Error(`not playable: range ${range.status} ${rangeBytes} B, peaks ${peaks.status}`);
    const total = (tReady - t0) / 1000;
    console.log(`\n60-minute stereo μ-law WAV (${(body.length / 1e6).toFixed(1)} MB), rendition ${flags.rendition}:`);
    console.log(`  upload → ready: ${total.toFixed(2)} s (upload ${((tUploaded - t0) / 1000).toFixed(2)} s, processing ${((tReady - tUploaded) / 1000).toFixed(2)} s) — goal ≤ 5 s, must ≤ 10 s: ${total <= 5 ? 'goal met' : total <= 10 ? 'must met, goal not' : 'NOT MET'}`);
    console.log(`  duration ${ready.duration_s} s, speech ${JSON.stringify(ready.speech)}`);

    // a second 60-minute call for the "app cached, call never opened" measure
    await put('long-2', long);
    await waitReady('long-2');
    await waveformFirstPaint(server.base, cookie);

    // 2. N five-minute calls at once
    let peak = vmMB(server.pid, 'VmRSS');
    const before = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, vmMB(server.pid, 'VmRSS'))), 50);
    const t1 = performance.now();
    await Promise.all(shorts.map((f, i) => put(`short-${i}`, f)));
    await Promise.all(shorts.map((_, i) => waitReady(`short-${i}`)));
    const wall = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    console.log(`\n${calls} concurrent uploads of 5-minute calls (RECORDINGS_JOBS=2): all ready in ${wall.toFixed(2)} s → ${((calls / wall) * 60).toFixed(0)} recordings/min (${((calls * 300) / wall).toFixed(0)}× real time)`);
    console.log(`  server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during (${(peak - before).toFixed(0)} MB more)`);
  } finally {
    server.child.kill('SIGTERM');
    await exited(server.child);
    if (!flags.keep) rmSync(work, { recursive: true, force: true });
  }
}

/** 4. The player on the 60-minute call: navigation start → waveform drawn, cold and warm. */
async function waveformFirstPaint(base: string, cookie: string): Promise<void> {
  if (!browserAvailable) {
    console.log('\nwaveform first paint: skipped (no Chromium)');
    return;
  }
  // the QA views list calls that have events: the long call's flow, answered when the recording starts
  for (const call of ['long-1', 'long-2']) {
    const events = callFlow(call, Date.now() - 2 * 3600_000, call);
    const ev = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(events) });
    if (ev.status !== 200) throw new Error(`events: ${ev.status} ${await ev.text()}`);
  }
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const measure = async () => {
      await page.locator('[data-testid="waveform"][data-drawn="1"]').waitFor({ timeout: 30_000 });
      return page.evaluate(() => (globalThis as unknown as { __qaWaveformDrawn: number }).__qaWaveformDrawn);
    };
    await page.goto(`${base}/qa/#/calls/long-1`);
    const cold = await measure();
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.reload();
      warm.push(await measure());
    }
    const median = [...warm].sort((a, b) => a - b)[2]!;
    // a call never opened, in a browser that has the app cached (a QA user opening the next call)
    await page.goto(`${base}/qa/?next=1#/calls/long-2`);
    const fresh = await measure();
    const verdict = (ms: number) => (ms <= 300 ? 'goal met' : ms <= 500 ? 'must met, goal not' : 'NOT MET');
    console.log(
      `\nwaveform first paint, 60-minute call (navigation → drawn from peaks, 1920×1080; goal ≤ 300 ms, must ≤ 500 ms):\n` +
        `  first visit in a new browser ${cold.toFixed(0)} ms (${verdict(cold)}); a call never opened, app cached ${fresh.toFixed(0)} ms (${verdict(fresh)});\n` +
        `  reloads ${warm.map((w) => w.toFixed(0)).join(', ')} ms, median ${median.toFixed(0)} ms (${verdict(median)})`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
