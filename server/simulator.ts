import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../ingest/log.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESTART_DELAY_MS = 5000;

export interface SimulatorOptions {
  scenario: string;
  ingestUrl: string;
  key: string;
  /** simulate this many past days first (history for reports), then run in real time */
  backfillDays: number;
  log: Logger;
}

/**
 * Runs the ACD simulator (server/acd) as its own process feeding the ingest over the wire
 * contract, like a PBX would; restarts it if it dies.
 */
export function startSimulator(opts: SimulatorOptions): { stop(): Promise<void> } {
  let child: ChildProcess | null = null;
  let stopped = false;
  let backfill = opts.backfillDays;

  const run = () => {
    const args = ['--import', 'tsx', 'server/acd/cli.ts', '--scenario', opts.scenario, '--speed', 'realtime', '--duration', 'forever'];
    args.push('--ingest', opts.ingestUrl, '--key', opts.key);
    if (backfill > 0) args.push('--backfill-days', String(backfill));
    backfill = 0;
    child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
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
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
