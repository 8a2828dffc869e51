import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario.ts';
import { Simulation } from '../sim/simulator.ts';
import { runSimulation } from './run-loop.ts';
import { ArraySink } from '../sim/sink.ts';

const scenario = parseScenario({
  queues: [{ name: 'q1' }],
  agents: [{ id: 'a{n}', count: 3, queues: ['q1'] }],
  arrivals: [{ queue: 'q1', per_hour: 60 }],
  handle_time: { dist: 'exponential', mean_s: 120 },
  seed: 3,
});
const HOUR = 3_600_000;

describe('runSimulation', () => {
  it('at speed max runs to the end as fast as it can', async () => {
    const sink = new ArraySink();
    const start = Date.parse('2025-01-01T00:00:00Z');
    const sim = new Simulation(scenario, { startMs: start, sink });
    const report = await runSimulation({ sim, sink, untilMs: start + 24 * HOUR, speed: 'max' });
    expect(report.simulatedMs).toBe(24 * HOUR);
    expect(report.calls).toBeGreaterThan(1200);
    expect(report.elapsedMs).toBeLessThan(5000);
  });

  it('paced, keeps simulated time in step with the wall clock × speed, stamping simulated time', async () => {
    const sink = new ArraySink();
    const start = Date.now();
    const sim = new Simulation(scenario, { startMs: start, sink });
    // 600× real time: 0.5 s of wall clock = 5 simulated minutes.
    const report = await runSimulation({ sim, sink, untilMs: start + 5 * 60_000, speed: 600 });
    expect(report.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(report.elapsedMs).toBeLessThan(2000);
    const last = Number(sink.events.at(-1)?.ts);
    expect(last).toBeLessThanOrEqual(start + 5 * 60_000);
    expect(last).toBeGreaterThan(start);
  });

  it('backfills past days at full speed, then keeps pace with the clock', async () => {
    const sink = new ArraySink();
    const now = Date.now();
    const sim = new Simulation(scenario, { startMs: now - 2 * 24 * HOUR, sink });
    const logs: string[] = [];
    const report = await runSimulation({ sim, sink, untilMs: now + 300, speed: 1, anchorMs: now, log: (e) => logs.push(String(e.msg)) });
    expect(report.simulatedMs).toBeGreaterThanOrEqual(2 * 24 * HOUR);
    expect(report.calls).toBeGreaterThan(2500);
    expect(report.elapsedMs).toBeLessThan(5000);
    expect(logs).toContain('caught up with the wall clock');
  });

  it('stops when aborted and reports it', async () => {
    const sink = new ArraySink();
    const start = Date.now();
    const sim = new Simulation(scenario, { startMs: start, sink });
    const abort = new AbortController();
    // Aborted while it waits for the clock: once in step, a paced run sleeps between steps.
    const log = (e: Record<string, unknown>) => e.msg === 'caught up with the wall clock' && abort.abort();
    const report = await runSimulation({ sim, sink, untilMs: Infinity, speed: 1, signal: abort.signal, log });
    expect(report.aborted).toBe(true);
    expect(report.elapsedMs).toBeLessThan(2000);
    // it had run: the agents signed in
    expect(sink.events.filter((e) => e.type === 'agent.state' && e.state === 'available')).toHaveLength(3);
  });
});
