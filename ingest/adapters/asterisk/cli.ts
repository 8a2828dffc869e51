/**
 * `npm run queue-log -- --file F [--follow] --ingest URL --key K [--state S] [--site X] [--dry-run]`
 * Imports (and with --follow tails) an Asterisk app_queue queue_log into callboard.
 * See ./README.md for the options and the mapping.
 */
import { parseArgs } from 'node:util';
import { importQueueLog } from './importer.ts';
import { FatalSendError, httpSender } from './sender.ts';
import { defaultStatePath } from './state.ts';

const USAGE = `usage: queue-log --file FILE [--follow] (--ingest URL --key KEY | --dry-run)
  --file F        the queue_log file (e.g. /var/log/asterisk/queue_log)
  --follow        keep reading what Asterisk appends (Ctrl-C / SIGTERM to stop)
  --ingest URL    callboard server (http://host:8080) or its /v1/events URL
  --key K         API key with the ingest scope (or env CALLBOARD_INGEST_KEY)
  --state F       resume point file (default: .<file name>.callboard-state.json beside the log)
  --site S        site of every event
  --id-prefix P   event id prefix (default ql)
  --batch N       lines per batch (default 500)
  --grace S       seconds a call that left the queues may come back before it is ended (default 60)
  --from-start    ignore the saved resume point
  --dry-run       print the events as NDJSON instead of sending (no state read or written)`;

function fail(message: string): never {
  process.stderr.write(`queue-log: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        file: { type: 'string' },
        follow: { type: 'boolean', default: false },
        ingest: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        site: { type: 'string' },
        'id-prefix': { type: 'string' },
        batch: { type: 'string' },
        grace: { type: 'string' },
        'from-start': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = values.file ?? fail('--file is required');
  const dry = values['dry-run'];
  const key = values.key ?? process.env.CALLBOARD_INGEST_KEY;
  if (!dry && (values.ingest === undefined || key === undefined)) fail('--ingest and --key are required (or --dry-run)');
  const num = (name: string, v: string | undefined, def: number): number => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number`);
    return n;
  };
  const site = values.site;
  if (site !== undefined && (site.length < 1 || site.length > 128)) fail('--site must be 1-128 characters');
  const prefix = values['id-prefix'] ?? 'ql';
  if (!/^[A-Za-z0-9_.:-]{1,24}$/.test(prefix)) fail('--id-prefix must be 1-24 letters, digits or _.:-');

  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const report = (m: string): void => void process.stderr.write(`queue-log: ${m}\n`);

  try {
    const summary = await importQueueLog({
      file,
      statePath: dry ? null : (values.state ?? defaultStatePath(file)),
      follow: values.follow,
      fromStart: values['from-start'],
      batchLines: Math.max(1, num('batch', values.batch, 500)),
      graceMs: num('grace', values.grace, 60) * 1000,
      idPrefix: prefix,
      ...(site !== undefined ? { site } : {}),
      send: dry
        ? null
        : httpSender({
            url: values.ingest as string,
            key: key as string,
            onRetry: (reason, wait) => report(`send failed (${reason}); retrying in ${Math.round(wait)} ms`),
            stopped: () => ac.signal.aborted,
          }),
      report,
      signal: ac.signal,
    });
    process.stderr.write(`queue-log: done ${JSON.stringify(summary)}\n`);
  } catch (err) {
    if (err instanceof FatalSendError) {
      report(`${err.message}`);
      process.exit(1);
    }
    report(`${(err as Error).message}`);
    process.exit(1);
  }
}

await main();
