/**
 * The clock edge: drives a Simulation either as fast as the CPU allows (`max`)
 * or paced against the wall clock (`speed` simulated seconds per real second).
 * A paced run whose simulated time is behind its target (a backfill starting
 * days in the past) runs at full speed until it catches up, then keeps pace.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Simulation } from '../sim/simulator.ts';
import type { EventSink } from '../sim/sink.ts';

export interface RunOptions {
  sim: Simulation;
  sink: EventSink;
  /** simulated end, epoch ms (Infinity: until aborted) */
  untilMs: number;
  /** `max`, or simulated seconds per wall-clock second */
  speed: 'max' | number;
  /** paced runs: the simulated instant matching the wall clock when the run starts (default: the simulation start) */
  anchorMs?: number;
  signal?: AbortSignal;
  /** progress and milestones as structured records */
  log?: (entry: Record<string, unknown>) => void;
  /** paced runs: called once, when the simulation has caught up with the wall clock and the events so far are handed to the sink */
  onCaughtUp?: () => void;
  /** milliseconds between progress records: while catching up (default 5 s), and once in step (default 60 s) */
  logEveryMs?: { catchingUp: number; running: number };
}

export interface RunReport {
  calls: number;
  events: number;
  /** wall-clock milliseconds */
  elapsedMs: number;
  /** simulated milliseconds covered */
  simulatedMs: number;
  aborted: boolean;
}

/** Steps per slice between looks at the sink, the abort signal and the clock. */
const SLICE = 20_000;
/** Longest sleep of a paced run, so output is pushed and aborts are seen promptly. */
const MAX_SLEEP_MS = 250;

export async function runSimulation(opts: RunOptions): Promise<RunReport> {
  const { sim, sink, untilMs, speed, signal } = opts;
  const log = opts.log ?? (() => {});
  const logEvery = opts.logEveryMs ?? { catchingUp: 5_000, running: 60_000 };
  const wallStart = Date.now();
  const anchor = opts.anchorMs ?? sim.startMs;
  let lastLog = wallStart;
  let lastCalls = 0;
  let caughtUp = speed === 'max';
  const target = (): number => (speed === 'max' ? untilMs : Math.min(untilMs, anchor + (Date.now() - wallStart) * speed));

  const progress = (msg: string): void => {
    const now = Date.now();
    const rate = (sim.stats.calls - lastCalls) / Math.max(0.001, (now - lastLog) / 1000);
    lastLog = now;
    lastCalls = sim.stats.calls;
    log({
      msg,
      sim_time: new Date(sim.now).toISOString(),
      calls: sim.stats.calls,
      events: sim.stats.events,
      calls_per_s: Number(rate.toFixed(rate < 10 ? 2 : 0)),
    });
  };

  while (!signal?.aborted) {
    const t = target();
    const steps = sim.runUntil(t, SLICE);
    if (sink.backlogged) await sink.drain();
    if (Date.now() - lastLog >= (caughtUp ? logEvery.running : logEvery.catchingUp)) progress(caughtUp ? 'running' : 'catching up');
    if (steps === SLICE) {
      // Still behind: let I/O (acks, signals) run, then go on at full speed.
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    if (t >= untilMs) break;
    if (!caughtUp) {
      caughtUp = true;
      progress('caught up with the wall clock');
      await sink.drain();
      opts.onCaughtUp?.();
    }
    await sink.drain();
    const next = sim.nextTime();
    const waitMs = Math.min(MAX_SLEEP_MS, Math.max(1, (next - target()) / (speed as number)));
    try {
      await sleep(waitMs, undefined, signal ? { signal } : undefined);
    } catch {
      break;
    }
  }
  await sink.flush();
  return {
    calls: sim.stats.calls,
    events: sim.stats.events,
    elapsedMs: Date.now() - wallStart,
    simulatedMs: sim.now - sim.startMs,
    aborted: signal?.aborted ?? false,
  };
}
