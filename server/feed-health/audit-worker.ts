/** Worker thread: audits the sources it is given (`workerData`) and posts their health back. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceAuditJob } from './audit-worker-pool.ts';
import { sourceHealth } from './source-health.ts';

const jobs = (workerData as { jobs: SourceAuditJob[] }).jobs;
parentPort?.postMessage(jobs.map((j) => sourceHealth(j.source, j.rows, j.windowMs, j.to, j.truncated, j.maxFutureSkewMs)));
