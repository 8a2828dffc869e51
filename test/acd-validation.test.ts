/**
 * Long runs of the ACD simulator against queueing theory, measured only from the
 * contract events (call.queued → call.answered / call.abandoned, DESIGN.md):
 * - M/M/c through the real CLI and its NDJSON file vs Erlang C (SL and ASA);
 * - M/M/c+M in process vs Erlang A (abandon rate, ASA of answered calls).
 * Every event of both runs is validated and audited for conservation.
 *
 * Tolerances are honest statistics: the run is cut into K batches of equal
 * simulated time (each hundreds of relaxation times long, so nearly independent),
 * the standard error is the batch means' standard deviation / √K, and the
 * measured value must lie within Z standard errors of the theory. With K = 30
 * (t distribution, 29 degrees of freedom), |t| > 4 has probability ≈ 4·10⁻⁴.
 * The runs are seeded, so the test is deterministic; the bound says how far a
 * correct simulator could stray. At these run lengths 4 SE is about ±0.026 on the
 * service level, ±4 s (≈17 %) on the Erlang C ASA, ±0.006 on the abandon rate and
 * ±0.8 s (≈7 %) on the Erlang A ASA.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../schemas/events.ts';
import { EventAuditor, type WaitSample } from '../acd/check/audit.ts';
import { ArraySink, type EventSink } from '../acd/sim/sink.ts';
import { erlangAMetrics, erlangCMetrics } from '../staffing/erlang.ts';
import { parseScenario } from '../acd/sim/scenario.ts';
import { Simulation } from '../acd/sim/simulator.ts';

const HOUR = 3_600_000;
const BATCHES = 30;
const Z = 4;
const WARMUP_MS = 5 * HOUR;
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'acd-validation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Estimate {
  value: number;
  se: number;
}

/** Pooled estimate of `num/den` over the samples, with a batch-means standard error. */
function batchEstimate(samples: readonly WaitSample[], from: number, to: number, num: (s: WaitSample) => number, den: (s: WaitSample) => number): Estimate {
  const len = (to - from) / BATCHES;
  const n = new Float64Array(BATCHES);
  const d = new Float64Array(BATCHES);
  let totalN = 0;
  let totalD = 0;
  for (const s of samples) {
    if (s.queuedAt < from || s.queuedAt >= to) continue;
    const b = Math.min(BATCHES - 1, Math.floor((s.queuedAt - from) / len));
    n[b]! += num(s);
    d[b]! += den(s);
    totalN += num(s);
    totalD += den(s);
  }
  const ratios = Array.from(n, (v, i) => v / d[i]!);
  const mean = ratios.reduce((a, b) => a + b, 0) / BATCHES;
  const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / (BATCHES - 1));
  return { value: totalN / totalD, se: sd / Math.sqrt(BATCHES) };
}

function expectWithin(name: string, measured: Estimate, theory: number): void {
  const z = (measured.value - theory) / measured.se;
  console.log(`${name}: measured ${measured.value.toFixed(4)} ± ${measured.se.toFixed(4)} (SE), theory ${theory.toFixed(4)}, z = ${z.toFixed(2)}`);
  expect(Math.abs(z), `${name} is ${z.toFixed(2)} standard errors from theory`).toBeLessThan(Z);
}

describe('ACD simulator vs queueing theory', () => {
  it('M/M/c (CLI → NDJSON) reproduces Erlang C service level and ASA', async () => {
    const out = join(dir, 'mmc.ndjson');
    const start = Date.parse('2025-01-06T00:00:00Z');
    const hours = 900;
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'acd/cli.ts', '--scenario', 'acd/scenarios/mmc-example.json', '--speed', 'max', '--duration', `${hours}h`, '--start', new Date(start).toISOString(), '--out', out],
      { cwd: root },
    );
    // The example file: 20 agents, 340 calls/h, exponential 180 s, infinite patience, T = 20 s.
    const auditor = new EventAuditor({ thresholds: new Map([['q1', { slThresholdS: 20, shortAbandonS: 5 }]]), sampleQueue: 'q1' });
    for await (const line of createInterface({ input: createReadStream(out), crlfDelay: Infinity })) auditor.add(JSON.parse(line) as CallboardEvent);
    const report = auditor.report();
    expect(report.problems).toEqual([]);
    expect(report.openCalls).toBe(0);
    expect(report.calls).toBeGreaterThan(300_000);

    const theory = erlangCMetrics({ arrivalRatePerHour: 340, meanHandleSeconds: 180, agents: 20, thresholdSeconds: 20 });
    const from = start + WARMUP_MS;
    const to = start + hours * HOUR;
    const sl = batchEstimate(auditor.samples, from, to, (s) => (s.waitMs <= 20_000 ? 1 : 0), () => 1);
    const asa = batchEstimate(auditor.samples, from, to, (s) => s.waitMs / 1000, () => 1);
    expectWithin('Erlang C service level', sl, theory.serviceLevel);
    expectWithin('Erlang C ASA (s)', asa, theory.asaSeconds);
    // The test has power: a 5 % bias in either figure would be many standard errors.
    expect(sl.se).toBeLessThan(0.01);
    expect(asa.se / theory.asaSeconds).toBeLessThan(0.05);
  });

  it('M/M/c+M reproduces Erlang A abandon rate and ASA', () => {
    const scenario = parseScenario({
      queues: [{ name: 'q1', sl_threshold_s: 20 }],
      agents: [{ id: 'a{n}', count: 20, queues: ['q1'] }],
      arrivals: [{ queue: 'q1', per_hour: 400 }],
      handle_time: { dist: 'exponential', mean_s: 180 },
      patience: { dist: 'exponential', mean_s: 120 },
      seed: 11,
    });
    const hours = 500;
    const start = Date.parse('2025-01-06T00:00:00Z');
    const auditor = new EventAuditor({ sampleQueue: 'q1' });
    const sink: EventSink = Object.assign(new ArraySink(), { write: (e: CallboardEvent) => auditor.add(e) });
    const sim = new Simulation(scenario, { startMs: start, sink });
    sim.runUntil(start + hours * HOUR);
    expect(sim.finish()).toBe(0);
    const report = auditor.report();
    expect(report.problems).toEqual([]);
    expect(report.openCalls).toBe(0);

    const theory = erlangAMetrics({ arrivalRatePerHour: 400, meanHandleSeconds: 180, agents: 20, meanPatienceSeconds: 120, thresholdSeconds: 20 });
    const from = start + WARMUP_MS;
    const to = start + hours * HOUR;
    const abandon = batchEstimate(auditor.samples, from, to, (s) => (s.answered ? 0 : 1), () => 1);
    const asa = batchEstimate(auditor.samples, from, to, (s) => (s.answered ? s.waitMs / 1000 : 0), (s) => (s.answered ? 1 : 0));
    expectWithin('Erlang A abandon probability', abandon, theory.probAbandon);
    expectWithin('Erlang A ASA of answered (s)', asa, theory.asaAnsweredSeconds);
    expect(abandon.se).toBeLessThan(0.005);
  });
});
