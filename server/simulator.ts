import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childLogger, type Logger, type LogLevel } from '../platform/log.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESTART_DELAY_MS = 5000;

export interface SimulatorOptions {
  scenario: string;
  ingestUrl: string;
  key: string;
  /** simulate this many past days first (history for reports), then run in real time */
  backfillDays: number;
  /** recordings of the simulated calls (uploaded with `key` to the server of `ingestUrl`); absent: none */
  recordings?: { share: number; backfillShare: number; backfillMax: number };
  log: Logger;
}

/**
 * Checks a scenario file the way the simulator reads it (`acd/cli.ts --check`: schema, cross
 * references, IVR graph), so a bad SIMULATOR_SCENARIO stops start-up instead of a child that
 * restarts every few seconds. Returns the problems, or null when the file is sound.
 */
export function checkScenario(scenario: string): string | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'acd/cli.ts', '--scenario', scenario, '--check'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status === 0) return null;
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      try {
        const o = JSON.parse(l) as { msg?: string; err?: { message?: string }; error?: string };
        return o.err?.message ?? o.error ?? o.msg ?? l;
      } catch {
        return l;
      }
    });
  return lines.join('\n') || `exit code ${r.status ?? r.signal}`;
}

/**
 * The sites of a scenario file with their time zones (`sites[].name`, `sites[].timezone`, else
 * the scenario's `timezone`), read as plain JSON: the server does not import the ACD's code.
 */
export function scenarioSiteZones(scenario: string): { site: string; timeZone: string }[] {
  const doc = JSON.parse(readFileSync(resolve(ROOT, scenario), 'utf8')) as { timezone?: unknown; sites?: { name?: unknown; timezone?: unknown }[] };
  const fallback = typeof doc.timezone === 'string' ? doc.timezone : undefined;
  return (Array.isArray(doc.sites) ? doc.sites : []).flatMap((s) => {
    const zone = typeof s.timezone === 'string' ? s.timezone : fallback;
    return typeof s.name === 'string' && zone ? [{ site: s.name, timeZone: zone }] : [];
  });
}

/**
 * Runs the ACD simulator (acd/) as its own process feeding the ingest over the wire
 * contract, like a PBX would; restarts it if it dies.
 */
export function startSimulator(opts: SimulatorOptions): { stop(): Promise<void> } {
  let child: ChildProcess | null = null;
  let stopped = false;
  let backfill = opts.backfillDays;

  const run = () => {
    const args = ['--import', 'tsx', 'acd/cli.ts', '--scenario', opts.scenario, '--speed', 'realtime', '--duration', 'forever'];
    args.push('--ingest', opts.ingestUrl, '--key', opts.key);
    if (backfill > 0) args.push('--backfill-days', String(backfill));
    const rec = opts.recordings ?? { share: 0, backfillShare: 0, backfillMax: 0 };
    // a restarted child has no backfill: its sample is not recorded again
    args.push('--record-share', String(rec.share), '--record-backfill-share', String(backfill > 0 ? rec.backfillShare : 0), '--record-backfill-max', String(rec.backfillMax));
    backfill = 0;
    child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = childLineRelay(opts.log, { proc: 'acd', pid: child.pid });
    forEachLine(child.stdout, (line) => relay(line, 'stdout'));
    forEachLine(child.stderr, (line) => relay(line, 'stderr'));
    opts.log('info', 'simulator started', { pid: child.pid, scenario: opts.scenario });
    child.on('exit', (code, signal) => {
      child = null;
      if (stopped) return;
      opts.log('error', 'simulator exited; restarting', { code, signal, restart_in_ms: RESTART_DELAY_MS });
      setTimeout(() => !stopped && run(), RESTART_DELAY_MS).unref();
    });
  };
  run();

  return {
    async stop() {
      stopped = true;
      const c = child;
      if (!c) return;
      // 'close' comes after the exit and the end of its output, so its last lines are relayed
      const exited = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function forEachLine(stream: Readable | null, onLine: (line: string) => void): void {
  if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

/** pino's numeric levels (10 trace … 60 fatal) or level labels, on our four levels */
function levelOf(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return v >= 50 ? 'error' : v >= 40 ? 'warn' : v >= 30 ? 'info' : 'debug';
  switch (v) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'info':
    case 'warn':
    case 'error':
      return v;
    case 'fatal':
      return 'error';
    default:
      return undefined;
  }
}

/** Keys of a child's JSON line that the relayed line writes itself (or that the tags replace). */
const CHILD_OWN_KEYS = new Set(['level', 'time', 'ts', 'msg', 'component', 'hostname', 'pid']);

/**
 * Relays the simulator child's output through the server's logger, so both processes' logs are
 * one format on one stream. A JSON object line (pino's, with a numeric or label level, or the
 * CLI's older `{ts, level, component, msg}`) keeps its level, msg, component (default `acd`) and
 * fields, and gets the `tags`; any other line is logged as it is, at info from stdout and at error
 * from stderr.
 */
export function childLineRelay(log: Logger, tags: Record<string, unknown>): (line: string, stream: 'stdout' | 'stderr') => void {
  const loggers = new Map<string, Logger>();
  const loggerFor = (component: string): Logger => {
    let l = loggers.get(component);
    if (!l) loggers.set(component, (l = childLogger(log, { component, ...tags })));
    return l;
  };
  return (raw, stream) => {
    const line = raw.trimEnd();
    if (!line) return;
    const fallback: LogLevel = stream === 'stderr' ? 'error' : 'info';
    const entry = parseObject(line);
    if (!entry) return loggerFor('acd')(fallback, line);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) if (!CHILD_OWN_KEYS.has(k)) fields[k] = v;
    const component = typeof entry.component === 'string' && entry.component ? entry.component : 'acd';
    const msg = typeof entry.msg === 'string' ? entry.msg : entry.msg === undefined ? '' : JSON.stringify(entry.msg);
    loggerFor(component)(levelOf(entry.level) ?? fallback, msg, fields);
  };
}

function parseObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
