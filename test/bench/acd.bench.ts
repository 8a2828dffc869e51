/**
 * ACD simulator benchmark (`npm run bench:acd`):
 * 1. simulated calls per second at speed max into an NDJSON file (goal ≥ 50k calls/s),
 *    for the M/M/c example and for the demo center (IVR, ringing, ACW, shifts);
 * 2. a real-time run at 200 calls/s into the ingest of a real server (started here
 *    via `tsx server/main.ts` on a free port with a temporary DATA_DIR), reporting
 *    events sent vs acknowledged and the largest un-acknowledged backlog.
 * Prints one JSON line per measurement.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestSink } from '../../acd/edges/ingest-sink.ts';
import { NdjsonSink } from '../../acd/edges/ndjson-sink.ts';
import { runSimulation } from '../../acd/edges/run-loop.ts';
import { loadScenario } from '../../acd/edges/scenario-file.ts';
import { parseScenario, type Scenario } from '../../acd/sim/scenario.ts';
import { Simulation } from '../../acd/sim/simulator.ts';
import { freePort, waitHealthy } from '../helpers/server-process.ts';

const root = new URL('../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'acd-bench-'));
const START = Date.parse('2025-03-03T00:00:00Z');

function print(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

async function maxSpeed(name: string, scenario: Scenario, hours: number): Promise<void> {
  const file = join(tmp, `${name}.ndjson`);
  const sink = new NdjsonSink(file);
  const sim = new Simulation(scenario, { startMs: START, sink });
  const report = await runSimulation({ sim, sink, untilMs: START + hours * 3_600_000, speed: 'max' });
  sim.finish();
  await sink.close();
  const seconds = report.elapsedMs / 1000;
  print({
    bench: 'acd max speed → NDJSON file',
    scenario: name,
    simulated_hours: hours,
    calls: report.calls,
    events: report.events,
    seconds: Number(seconds.toFixed(2)),
    calls_per_s: Math.round(report.calls / seconds),
    events_per_s: Math.round(report.events / seconds),
    mb_written: Math.round(statSync(file).size / 1e6),
    goal_calls_per_s: 50_000,
  });
  rmSync(file, { force: true });
}

async function realtimeIngest(seconds: number, callsPerSecond: number): Promise<void> {
  if (!existsSync(join(root, 'server/main.ts'))) {
    print({ bench: 'acd real time → ingest', skipped: 'server/main.ts does not exist yet' });
    return;
  }
  const port = await freePort();
  const key = 'bench-ingest-key-0123456789';
  const dataDir = join(tmp, 'data');
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, INGEST_KEY: key, SIMULATOR: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverLog = '';
  server.stderr?.on('data', (d: Buffer) => {
    serverLog = (serverLog + d.toString()).slice(-4000);
  });
  try {
    await waitHealthy(`http://127.0.0.1:${port}`, server, 120_000);
    // A big M/M/c center: 200 calls/s, 20 s calls on 4,200 agents (offered load 4,000 Erlang), some abandons.
    const scenario = parseScenario({
      queues: [{ name: 'bench', sl_threshold_s: 20 }],
      agents: [{ id: 'b{n}', count: 4200, queues: ['bench'] }],
      arrivals: [{ queue: 'bench', per_hour: callsPerSecond * 3600 }],
      handle_time: { dist: 'exponential', mean_s: 20 },
      patience: { dist: 'exponential', mean_s: 60 },
      seed: 'bench',
    });
    const sink = new IngestSink({ url: `ws://127.0.0.1:${port}/v1/ingest`, key, log: () => {} });
    const start = Date.now();
    const sim = new Simulation(scenario, { startMs: start, sink });
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, sink.stats.buffered);
    }, 100);
    const report = await runSimulation({ sim, sink, untilMs: start + seconds * 1000, speed: 1, anchorMs: start });
    const endOfRun = sink.stats;
    const flushStart = Date.now();
    await sink.flush();
    const drainMs = Date.now() - flushStart;
    clearInterval(sampler);
    await sink.close();
    const s = sink.stats;
    print({
      bench: 'acd real time → ingest',
      seconds: Number((report.elapsedMs / 1000).toFixed(1)),
      calls: report.calls,
      calls_per_s: Number((report.calls / (report.elapsedMs / 1000)).toFixed(1)),
      events_sent: s.sent,
      events_acked: s.acked,
      events_rejected: s.rejected,
      resent: s.resent,
      nacks: s.nacks,
      unacked_at_end_of_run: endOfRun.buffered,
      max_unacked_backlog: Math.max(maxBuffered, s.maxBacklog),
      final_drain_ms: drainMs,
    });
  } catch (err) {
    print({ bench: 'acd real time → ingest', error: (err as Error).message, server_log_tail: serverLog.slice(-1500) });
    process.exitCode = 1;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

// `npm run bench:acd -- file` or `-- ingest` runs one part only.
const part = process.argv[2];
try {
  if (part !== 'ingest') {
    await maxSpeed('mmc-example', loadScenario(join(root, 'acd/scenarios/mmc-example.json')), 3000);
    await maxSpeed('demo-utility', loadScenario(join(root, 'acd/scenarios/demo-utility.json')), 24 * 28);
  }
  if (part !== 'file') await realtimeIngest(30, 200);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
