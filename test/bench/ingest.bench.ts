/**
 * `npm run bench:ingest` — end-to-end ingest throughput against the engine's own insert rate.
 *
 * 1. Starts the server (its own process, fresh temp DATA_DIR, SIMULATOR=off) and waits for
 *    /healthz.
 * 2. Several sender processes (ingest-client.ts) stream realistic batches over the WebSocket
 *    ingest for a fixed time, each keeping a window of un-acked batches and resending nacked
 *    ones after `retry_after`. Measures events acknowledged as durable per second, ack
 *    latency, the server's peak RSS and CPU (main JS thread vs the engine's threads) and the
 *    event-loop responsiveness (latency of a trivial HTTP route while under load).
 * 3. Reads `callboard_events_stored_total` from /metrics, stops the server, and counts the
 *    stored rows in its data directory: both must equal the acknowledged events.
 * 4. In this process, opens a ChdbStore on another fresh directory and writes the same kind of
 *    events straight through the store in flush-sized RowBinary batches: the engine's own
 *    rate. efficiency = pipeline events/s ÷ direct insert rows/s.
 *
 * Flags: --seconds N (20) --clients N (4) --batch N (500) --window N (8 un-acked batches per
 * connection) --flush-rows N (the direct-insert batch size, 50000) --flush-min-rows N (server FLUSH_MIN_ROWS)
 * --flush-ms N --max-pending-rows N --ts iso|ms (iso) --direct-rows N (as many as the
 * pipeline acked, 500k-3M) --profile DIR (server runs with --cpu-prof into DIR) --keep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChdbStore } from '../../platform/store/chdb-store.ts';
import { migrate } from '../../platform/store/migrate.ts';
import { ByteSink, encodeEventRows } from '../../ingest/rowbinary.ts';
import { EVENT_COLUMNS, TABLES } from '../../schemas/tables.ts';
import { validateBatch, type NormalizedEvent } from '../../schemas/validate.ts';
import { EventFactory, type TsFormat } from './event-factory.ts';
import type { ClientConfig, ClientReport, FromClient, ToClient } from './ingest-client.ts';
import { availableParallelism } from 'node:os';
import { exited, startBenchServer, type BenchServer } from './bench-server.ts';
import { cpuDelta, cpuSnapshot, machineBusyMs, selfCpuMs, vmMB } from './proc.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GOAL_EVENTS_PER_S = 150_000;
const GOAL_RATIO = 0.6;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    window: { type: 'string', default: '8' },
    'flush-rows': { type: 'string', default: '50000' },
    'flush-min-rows': { type: 'string' },
    'flush-ms': { type: 'string' },
    'max-pending-rows': { type: 'string' },
    ts: { type: 'string', default: 'iso' },
    'direct-rows': { type: 'string' },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

function posInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: must be a positive integer (got ${JSON.stringify(v)})`);
    process.exit(2);
  }
  return n;
}

const opts = {
  seconds: posInt('seconds', flags.seconds),
  clients: posInt('clients', flags.clients),
  batch: posInt('batch', flags.batch),
  window: posInt('window', flags.window),
  flushRows: posInt('flush-rows', flags['flush-rows']),
  flushMinRows: flags['flush-min-rows'] === undefined ? undefined : posInt('flush-min-rows', flags['flush-min-rows']),
  flushMs: flags['flush-ms'] === undefined ? undefined : posInt('flush-ms', flags['flush-ms']),
  maxPendingRows: flags['max-pending-rows'] === undefined ? undefined : posInt('max-pending-rows', flags['max-pending-rows']),
  ts: (flags.ts === 'ms' ? 'ms' : 'iso') as TsFormat,
  directRows: flags['direct-rows'] === undefined ? undefined : posInt('direct-rows', flags['direct-rows']),
  profile: flags.profile,
  keep: flags.keep,
};

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
const say = (line: string) => process.stdout.write(line + '\n');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// server

function startServer(dataDir: string, key: string, adminPassword: string): Promise<BenchServer> {
  const env: Record<string, string> = {};
  if (opts.flushMs !== undefined) env.FLUSH_MS = String(opts.flushMs);
  if (opts.flushMinRows !== undefined) env.FLUSH_MIN_ROWS = String(opts.flushMinRows);
  if (opts.maxPendingRows !== undefined) env.MAX_PENDING_ROWS = String(opts.maxPendingRows);
  return startBenchServer({ dataDir, key, adminPassword, env, cpuProfileDir: opts.profile });
}

async function readMetrics(base: string, adminPassword: string): Promise<Map<string, number>> {
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  if (login.status !== 200) throw new Error(`login failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const res = await fetch(`${base}/metrics`, { headers: { Cookie: cookie } });
  if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const name = line.slice(0, sp);
    values.set(name, (values.get(name) ?? 0) + Number(line.slice(sp + 1)));
  }
  return values;
}

/** Sum of a metric over all its label sets. */
function metric(m: Map<string, number>, name: string): number {
  let sum = 0;
  let found = false;
  for (const [k, v] of m) {
    if (k === name || k.startsWith(`${name}{`)) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : NaN;
}

// ---------------------------------------------------------------------------------------------
// senders

async function runClients(base: string, key: string, runTag: string) {
  const url = `${base.replace('http', 'ws')}/v1/ingest`;
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const reports: Promise<ClientReport>[] = [];
  for (let i = 0; i < opts.clients; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/ingest-client.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    let onReady!: () => void;
    ready.push(new Promise<void>((r) => (onReady = r)));
    reports.push(
      new Promise<ClientReport>((resolve, reject) => {
        child.on('message', (msg: FromClient) => {
          if (msg.kind === 'ready') onReady();
          else resolve(msg.report);
        });
        child.once('exit', (code) => reject(new Error(`sender ${i} exited with ${code} before reporting`)));
      }),
    );
    const config: ClientConfig = { url, key, client: i, runTag, batch: opts.batch, window: opts.window, ts: opts.ts, drainMs: 60_000 };
    child.send({ kind: 'config', config } satisfies ToClient);
  }
  await Promise.race([Promise.all(ready), Promise.all(reports)]);
  const startAt = Date.now() + 300;
  const endAt = startAt + opts.seconds * 1000;
  for (const c of children) c.send({ kind: 'go', startAt, endAt } satisfies ToClient);
  return { children, startAt, endAt, reports: Promise.all(reports) };
}

/**
 * Event-loop responsiveness of the server: latency of a route answered synchronously
 * (an unknown path → 404) every 100 ms while the load runs.
 */
function probeLoop(base: string, until: () => boolean): Promise<number[]> {
  return (async () => {
    const lat: number[] = [];
    while (!until()) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/bench-probe`);
        await res.arrayBuffer();
        lat.push(performance.now() - t);
      } catch {
        // server busy or gone: skip
      }
      await sleep(100);
    }
    return lat;
  })();
}

// ---------------------------------------------------------------------------------------------
// direct store

interface DirectResult {
  rows: number;
  batches: number;
  parseMs: number;
  validateMs: number;
  encodeMs: number;
  insertMs: number;
  stored: number;
  /** ms per insert with fsync of new parts on (as the server runs) and off, at each insert size */
  fsync: { rows: number; onMs: number; offMs: number }[];
}

async function directStore(dir: string, rows: number, runTag: string): Promise<DirectResult> {
  const store = new ChdbStore(dir);
  try {
    await migrate(store);
    const factory = new EventFactory({ tag: `${runTag}d`, seed: 424242, ts: opts.ts });
    const perFlush = Math.max(1, Math.round(opts.flushRows / opts.batch));
    const r: DirectResult = { rows: 0, batches: 0, parseMs: 0, validateMs: 0, encodeMs: 0, insertMs: 0, stored: 0, fsync: [] };
    let seq = 0;
    // One untimed warm-up insert (first-touch of the table, JIT).
    const warm = validateBatch((JSON.parse(factory.message('warm', opts.batch)) as { events: unknown[] }).events).accepted;
    await store.insertRowBinary(TABLES.events, EVENT_COLUMNS, encodeEventRows(warm, Date.now(), 'bench').bytes());
    while (r.rows < rows) {
      // The same messages the senders send; building them is not timed.
      const messages: string[] = [];
      for (let i = 0; i < perFlush; i++) messages.push(factory.message(`d-${seq++}`, opts.batch));
      const t0 = performance.now();
      const parsed = messages.map((m) => (JSON.parse(m) as { events: unknown[] }).events);
      const t1 = performance.now();
      const accepted: NormalizedEvent[][] = parsed.map((events) => validateBatch(events).accepted);
      const t2 = performance.now();
      // As the writer does: each incoming batch appended to the flush's buffer.
      const sink = new ByteSink();
      for (const a of accepted) encodeEventRows(a, Date.now(), 'bench', sink);
      const data = sink.bytes();
      const t3 = performance.now();
      await store.insertRowBinary(TABLES.events, EVENT_COLUMNS, data);
      const t4 = performance.now();
      r.parseMs += t1 - t0;
      r.validateMs += t2 - t1;
      r.encodeMs += t3 - t2;
      r.insertMs += t4 - t3;
      for (const a of accepted) r.rows += a.length;
      r.batches++;
    }
    const [c] = await store.query<{ n: string | number }>(`SELECT count() AS n FROM ${TABLES.events}`);
    r.stored = Number(c?.n ?? 0) - warm.length;
    r.fsync = await fsyncCost(store, factory);
    return r;
  } finally {
    await store.close();
  }
}

/**
 * The cost of durable-on-disk acks: the same RowBinary inserts with the migration's fsync of
 * new parts (fsync_after_insert, fsync_part_directory) and without, alternated, at the server's
 * typical insert size (FLUSH_MIN_ROWS) and at a large one.
 */
async function fsyncCost(store: ChdbStore, factory: EventFactory): Promise<DirectResult['fsync']> {
  const out: DirectResult['fsync'] = [];
  const setFsync = (on: boolean) =>
    store.command(`ALTER TABLE ${TABLES.events} MODIFY SETTING fsync_after_insert = ${on ? 1 : 0}, fsync_part_directory = ${on ? 1 : 0}`);
  for (const rows of [5000, 50_000]) {
    const times = { on: 0, off: 0 };
    const rounds = rows >= 50_000 ? 4 : 12;
    for (let i = 0; i < rounds * 2; i++) {
      const on = i % 2 === 0;
      const events = validateBatch((JSON.parse(factory.message(`f-${rows}-${i}`, rows)) as { events: unknown[] }).events).accepted;
      const data = encodeEventRows(events, Date.now(), 'bench').bytes();
      await setFsync(on);
      const t0 = performance.now();
      await store.insertRowBinary(TABLES.events, EVENT_COLUMNS, data);
      times[on ? 'on' : 'off'] += performance.now() - t0;
    }
    out.push({ rows, onMs: times.on / rounds, offMs: times.off / rounds });
  }
  await setFsync(true);
  return out;
}

function countStored(dataDir: string): Promise<{ events: number; distinct_ids: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/count-events.ts', dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += String(c)));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`count-events exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as { events: number; distinct_ids: number });
    });
  });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const runTag = Math.random().toString(36).slice(2, 6);
  const serverDir = mkdtempSync(join(tmpdir(), 'callboard-bench-server-'));
  const directDir = mkdtempSync(join(tmpdir(), 'callboard-bench-direct-'));
  const key = `bench-key-${runTag}-${Math.random().toString(36).slice(2)}`;
  const adminPassword = `bench-${Math.random().toString(36).slice(2)}`;
  let server: BenchServer | null = null;
  let failures: string[] = [];
  try {
    say(
      `ingest bench: ${opts.clients} senders × window ${opts.window} × batch ${opts.batch}, ${opts.seconds} s, ts ${opts.ts}, ` +
        `server${opts.flushMinRows ? ` FLUSH_MIN_ROWS ${opts.flushMinRows}` : ''}${opts.flushMs ? ` FLUSH_MS ${opts.flushMs}` : ''}${opts.maxPendingRows ? ` MAX_PENDING_ROWS ${opts.maxPendingRows}` : ''}` +
        (opts.profile ? `, server --cpu-prof → ${opts.profile}` : ''),
    );
    server = await startServer(serverDir, key, adminPassword);
    say(`server pid ${server.pid} on ${server.base}, data ${serverDir}, RSS idle ${fmt(vmMB(server.pid, 'VmRSS'))} MB`);

    const clients = await runClients(server.base, key, runTag);
    const srv = server;
    const rssSamples: number[] = [];
    let loadDone = false;
    const sampler = setInterval(() => rssSamples.push(vmMB(srv.pid, 'VmRSS')), 500);
    await sleep(Math.max(0, clients.startAt - Date.now()));
    const cpuStart = cpuSnapshot(srv.pid);
    const cpuStartAt = Date.now();
    const machineStart = machineBusyMs();
    const selfStart = selfCpuMs();
    const probes = probeLoop(srv.base, () => loadDone);
    let reports: ClientReport[];
    try {
      reports = await clients.reports;
    } finally {
      loadDone = true;
      clearInterval(sampler);
    }
    const cpuEnd = cpuSnapshot(srv.pid);
    const cpuEndAt = Date.now();
    const machineMs = machineBusyMs() - machineStart;
    const selfMs = selfCpuMs() - selfStart;
    const probeLat = (await probes).sort((a, b) => a - b);
    await Promise.all(clients.children.map(exited));

    // ---- pipeline figures
    const acked = reports.reduce((s, r) => s + r.eventsAccepted, 0);
    const rejected = reports.reduce((s, r) => s + r.eventsRejected, 0);
    const batchesAcked = reports.reduce((s, r) => s + r.batchesAcked, 0);
    const nacks = reports.reduce((s, r) => s + r.nacks, 0);
    const unacked = reports.reduce((s, r) => s + r.unacked, 0);
    const nackErrors = new Map<string, number>();
    for (const r of reports) for (const [k, v] of Object.entries(r.nackErrors)) nackErrors.set(k, (nackErrors.get(k) ?? 0) + v);
    const firstSend = Math.min(...reports.map((r) => r.firstSendAt || Infinity));
    const lastAck = Math.max(...reports.map((r) => r.lastAckAt));
    const wallS = (lastAck - firstSend) / 1000;
    const eventsPerS = acked / wallS;
    const lat = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const perSecond: number[] = [];
    for (const r of reports) r.perSecond.forEach((n, i) => (perSecond[i] = (perSecond[i] ?? 0) + n));
    const clientCpuMs = reports.reduce((s, r) => s + r.cpuUserMs + r.cpuSystemMs, 0);
    for (const r of reports) if (r.error) failures.push(`sender ${r.client}: ${r.error}`);
    if (rejected > 0) failures.push(`${rejected} events rejected, first: ${reports.find((r) => r.firstRejection)?.firstRejection}`);

    const metrics = await readMetrics(srv.base, adminPassword);
    const storedMetric = metric(metrics, 'callboard_events_stored_total');
    const peakRss = vmMB(srv.pid, 'VmHWM');
    const rssAtEnd = vmMB(srv.pid, 'VmRSS');
    const cpu = cpuDelta(cpuStart, cpuEnd);
    const loadS = (cpuEndAt - cpuStartAt) / 1000;

    srv.child.kill('SIGTERM');
    const code = await exited(srv.child);
    server = null;
    if (code !== 0) failures.push(`server exited with ${code} after SIGTERM`);
    const counted = await countStored(serverDir);

    say('');
    say('pipeline (WebSocket → parse → validate → writer → chDB, ack after durable write)');
    say(`  acked        ${fmt(acked)} events in ${fmt(batchesAcked)} batches over ${fmt(wallS, 2)} s (first send → last ack) = ${fmt(eventsPerS)} events/s`);
    say(`  per second   ${perSecond.map((n) => fmt(n / 1000)).join(' ')} (k events acked)`);
    say(`  ack latency  p50 ${fmt(percentile(lat, 0.5))} ms · p90 ${fmt(percentile(lat, 0.9))} ms · p99 ${fmt(percentile(lat, 0.99))} ms · max ${fmt(lat.at(-1) ?? NaN)} ms`);
    say(`  nacks        ${fmt(nacks)}${nackErrors.size ? ` (${[...nackErrors].map(([k, v]) => `${v}× ${k}`).join('; ')})` : ''} · un-acked at end ${unacked} · rejected ${rejected}`);
    say(
      `  server       peak RSS ${fmt(peakRss)} MB (VmHWM) · RSS under load max ${fmt(Math.max(...rssSamples.filter(Number.isFinite)))} MB · at end ${fmt(rssAtEnd)} MB`,
    );
    say(
      `  server CPU   ${fmt(cpu.totalMs / 1000 / loadS, 2)} cores: JS main thread ${fmt(cpu.mainMs / 1000 / loadS, 2)}, other threads ${fmt((cpu.totalMs - cpu.mainMs) / 1000 / loadS, 2)}` +
        ` (${cpu.others.slice(0, 4).map(([n, ms]) => `${n} ${fmt(ms / 1000 / loadS, 2)}`).join(', ')})`,
    );
    say(`  senders CPU  ${fmt(clientCpuMs / 1000 / loadS, 2)} cores (${opts.clients} processes, building and sending the batches)`);
    // Anything else running on the machine skews every figure above: say so.
    const othersCores = (machineMs - cpu.totalMs - clientCpuMs - selfMs) / 1000 / loadS;
    say(
      `  machine      ${fmt(machineMs / 1000 / loadS, 2)} of ${availableParallelism()} cores busy; other processes ${fmt(Math.max(0, othersCores), 2)} cores` +
        (othersCores > 0.15 ? ' — WARNING: the machine was not idle, figures are pessimistic' : ''),
    );
    say(
      `  event loop   trivial HTTP route under load: p50 ${fmt(percentile(probeLat, 0.5), 1)} ms · p99 ${fmt(percentile(probeLat, 0.99), 1)} ms · max ${fmt(probeLat.at(-1) ?? NaN, 1)} ms (${probeLat.length} probes)`,
    );
    const fq = (name: string, q: string) => metrics.get(`${name}{quantile="${q}"}`) ?? NaN;
    const flushes = metrics.get('callboard_flush_seconds_count') ?? NaN;
    say(
      `  flushes      ${fmt(flushes)} · rows p50 ${fmt(fq('callboard_flush_rows', '0.5'))} · insert p50 ${fmt(fq('callboard_flush_seconds', '0.5') * 1000)} ms p99 ${fmt(fq('callboard_flush_seconds', '0.99') * 1000)} ms` +
        ` · insert time ${fmt((metrics.get('callboard_flush_seconds_sum') ?? NaN) / wallS * 100)}% of wall`,
    );

    say(
      `  writer       duplicates ${fmt(metric(metrics, 'callboard_events_duplicate_total'))} · dedup ids in memory ${fmt(metric(metrics, 'callboard_dedup_ids'))}` +
        ` · store look-ups ${fmt(metric(metrics, 'callboard_dedup_store_lookups_total'))} · busy refusals ${fmt(metric(metrics, 'callboard_ingest_busy_total'))}` +
        ` · store errors ${fmt(metric(metrics, 'callboard_store_errors_total'))}`,
    );

    // ---- verification
    const okMetric = storedMetric === acked;
    const okCount = counted.events === acked && counted.distinct_ids === acked;
    if (!okMetric) failures.push(`callboard_events_stored_total ${storedMetric} ≠ acked ${acked}`);
    if (!okCount) failures.push(`stored rows ${counted.events} (distinct ids ${counted.distinct_ids}) ≠ acked ${acked}`);
    say(
      `  verified     /metrics callboard_events_stored_total ${fmt(storedMetric)} ${okMetric ? '=' : '≠'} acked · ` +
        `rows in the stopped server's store ${fmt(counted.events)}, distinct ids ${fmt(counted.distinct_ids)} ${okCount ? '=' : '≠'} acked`,
    );

    // ---- direct store
    const directRows = opts.directRows ?? Math.min(3_000_000, Math.max(500_000, acked));
    say('');
    say(`direct store (this process: same events, JSON.parse → validateBatch → encodeEventRows → ChdbStore.insertRowBinary, ${fmt(opts.flushRows)}-row inserts)`);
    const d = await directStore(directDir, directRows, runTag);
    const insertRate = d.rows / (d.insertMs / 1000);
    const encInsRate = d.rows / ((d.encodeMs + d.insertMs) / 1000);
    const fullRate = d.rows / ((d.parseMs + d.validateMs + d.encodeMs + d.insertMs) / 1000);
    const us = (ms: number) => fmt((ms * 1000) / d.rows, 2);
    say(`  rows         ${fmt(d.rows)} in ${d.batches} inserts; stored ${fmt(d.stored)}${d.stored === d.rows ? '' : ' (MISMATCH)'}`);
    say(`  insert only  ${fmt(insertRate)} rows/s (${fmt(d.insertMs / d.batches)} ms per ${fmt(d.rows / d.batches)}-row insert)`);
    say(`  encode+insert ${fmt(encInsRate)} rows/s · parse+validate+encode+insert ${fmt(fullRate)} rows/s`);
    say(`  cost/event   JSON.parse ${us(d.parseMs)} µs · validate ${us(d.validateMs)} µs · encode ${us(d.encodeMs)} µs · insert ${us(d.insertMs)} µs`);
    for (const f of d.fsync) {
      say(
        `  fsync        ${fmt(f.rows)}-row insert ${fmt(f.onMs, 1)} ms with fsync of new parts (as the server runs) vs ${fmt(f.offMs, 1)} ms without ` +
          `(+${fmt(f.onMs - f.offMs, 1)} ms, ${fmt(f.rows / (f.onMs / 1000))} vs ${fmt(f.rows / (f.offMs / 1000))} rows/s)`,
      );
    }
    if (d.stored !== d.rows) failures.push(`direct store: stored ${d.stored} ≠ inserted ${d.rows}`);

    const ratio = eventsPerS / insertRate;
    say('');
    say(
      `goal ≥ ${fmt(GOAL_EVENTS_PER_S)} events/s: ${eventsPerS >= GOAL_EVENTS_PER_S ? 'met' : 'NOT met'} · ` +
        `ratio ≥ ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'} (vs encode+insert ${fmt(eventsPerS / encInsRate, 2)})`,
    );
    for (const f of failures) say(`FAILED: ${f}`);
    say('');
    say(
      `ingest: ${fmt(eventsPerS)} events/s durable (batch ${opts.batch}, ${opts.clients} clients, ${opts.seconds} s) · ` +
        `ack p50 ${fmt(percentile(lat, 0.5))} ms p99 ${fmt(percentile(lat, 0.99))} ms · nacks ${fmt(nacks)} · ` +
        `server peak RSS ${fmt(peakRss)} MB · stored ${fmt(counted.events)} = acked ${okCount && okMetric ? '✓' : '✗'} · ` +
        `direct store insert ${fmt(insertRate)} rows/s · ratio ${fmt(ratio, 2)}`,
    );
    return failures.length ? 1 : 0;
  } catch (err) {
    console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
    if (server) console.error(`server output (last lines):\n${server.output.slice(-30).join('\n')}`);
    failures = [String(err)];
    return 1;
  } finally {
    if (server) {
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
    if (!opts.keep) {
      rmSync(serverDir, { recursive: true, force: true });
      rmSync(directDir, { recursive: true, force: true });
    } else say(`kept ${serverDir} and ${directDir}`);
  }
}

// chDB keeps native threads alive: exit explicitly.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
