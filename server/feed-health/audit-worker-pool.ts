/**
 * Runs the feed audits in a worker thread: an audit of 100k events takes about a second of
 * JS, which on the server's thread would hold up every ingest ack and live frame meanwhile.
 * One short-lived worker per answer (answers are cached for 15 s, so this is rare); it loads
 * its TypeScript with tsx, like the server.
 */
import { Worker } from 'node:worker_threads';
import type { SourceHealth } from '../../schemas/feed-audit/health.ts';
import type { ReceivedEvent } from './recent-events.ts';

export interface SourceAuditJob {
  source: string;
  rows: ReceivedEvent[];
  windowMs: number;
  to: number;
  truncated: boolean;
  maxFutureSkewMs: number;
}

/** The worker registers tsx's loader first: a worker's entry module is loaded before `--import` hooks apply to it. */
const WORKER_BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./audit-worker.ts', import.meta.url).href)}); })`;

/** The health of each source, in `jobs` order. */
export function auditSourcesInWorker(jobs: SourceAuditJob[]): Promise<SourceHealth[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData: { jobs } });
    let answered = false;
    worker.once('message', (health: SourceHealth[]) => {
      answered = true;
      resolve(health);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`feed audit worker exited with code ${code} before answering`));
    });
  });
}
