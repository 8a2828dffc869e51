/**
 * Command line of the ACD simulator:
 *
 *   npm run acd -- --scenario FILE [--speed realtime|max|N] [--duration 8h|forever]
 *                  [--seed S] [--start ISO] [--backfill-days N]
 *                  (--ingest ws://HOST:PORT/v1/ingest --key K | --out FILE.ndjson|-)
 *   npm run acd -- --scenario FILE --check     (check the scenario and exit: 0 good, 1 not)
 *
 * Logs JSON lines (pino, acd/log.ts) to stdout, or to stderr when the events go to
 * stdout (`--out -`). SIGINT/SIGTERM stop the run after flushing output.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { IngestSink } from './edges/ingest-sink.ts';
import { NdjsonSink } from './edges/ndjson-sink.ts';
import { runSimulation } from './edges/run-loop.ts';
import type { EventSink } from './sim/sink.ts';
import { loadScenario } from './edges/scenario-file.ts';
import { createAcdLogger, recordLogger, type AcdLogger } from './log.ts';
import { Simulation } from './sim/simulator.ts';
import { DAY_MS, parseDuration } from './time.ts';

const USAGE = `usage: npm run acd -- --scenario FILE [--speed realtime|max|N] [--duration 8h|forever] [--seed S]
         [--start ISO] [--backfill-days N] (--ingest ws://HOST:PORT/v1/ingest --key K | --out FILE.ndjson|-)
       npm run acd -- --scenario FILE --check`;

/** Parsed command line. */
export interface CliOptions {
  scenarioPath: string;
  speed: 'max' | number;
  durationS: number | undefined;
  seed: string | undefined;
  startMs: number;
  backfillDays: number;
  ingest: { url: string; key: string } | undefined;
  out: string | undefined;
  /** only check the scenario */
  check?: true;
}

/** Reads argv (without node and script); throws an Error with a usage hint on bad input. */
export function parseCli(argv: readonly string[], nowMs: number): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string' },
      speed: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      'backfill-days': { type: 'string' },
      ingest: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean' },
    },
    strict: true,
  });
  const fail = (msg: string): never => {
    throw new Error(`${msg}\n${USAGE}`);
  };
  if (!values.scenario) fail('--scenario is required');
  if (values.check) {
    const scenarioPath = values.scenario as string;
    return { scenarioPath, speed: 'max', durationS: undefined, seed: undefined, startMs: nowMs, backfillDays: 0, ingest: undefined, out: undefined, check: true };
  }
  if (values.ingest && values.out) fail('use either --ingest or --out, not both');
  if (!values.ingest && !values.out) fail('an output is required: --ingest URL --key K, or --out FILE');
  if (values.ingest && !values.key) fail('--ingest needs --key');
  if (values.ingest && !/^wss?:\/\//.test(values.ingest)) fail(`--ingest must be a ws:// or wss:// URL (got ${values.ingest})`);

  const speedText = values.speed ?? (values.ingest ? 'realtime' : 'max');
  let speed: 'max' | number = 'max';
  if (speedText === 'realtime') speed = 1;
  else if (speedText !== 'max') {
    speed = Number(speedText);
    if (!(speed > 0) || !Number.isFinite(speed)) fail(`--speed must be realtime, max or a positive factor (got ${speedText})`);
  }
  let durationS: number | undefined;
  if (values.duration !== undefined) {
    durationS = parseDuration(values.duration);
    if (durationS === undefined || durationS <= 0) fail(`--duration must look like 8h, 90m, 2d, 3600 or forever (got ${values.duration})`);
  }
  let startMs = nowMs;
  if (values.start !== undefined) {
    startMs = Date.parse(values.start);
    if (Number.isNaN(startMs)) fail(`--start must be an ISO-8601 date-time (got ${values.start})`);
  }
  const backfillDays = values['backfill-days'] === undefined ? 0 : Number(values['backfill-days']);
  if (!(backfillDays >= 0) || !Number.isFinite(backfillDays)) fail(`--backfill-days must be a number of days (got ${values['backfill-days']})`);
  return {
    scenarioPath: values.scenario as string,
    speed,
    durationS,
    seed: values.seed,
    startMs,
    backfillDays,
    ingest: values.ingest ? { url: values.ingest, key: values.key as string } : undefined,
    out: values.out,
  };
}

/** Where the logs go: stdout, unless the events do (`--out -`). */
export function logFd(argv: readonly string[]): 1 | 2 {
  return argv.some((a, i) => a === '--out=-' || (a === '--out' && argv[i + 1] === '-')) ? 2 : 1;
}

/**
 * Runs the simulator as the command line does (argv without node and script):
 * until the duration ends, or until SIGINT/SIGTERM.
 */
export async function runAcdCli(argv: readonly string[], logger: AcdLogger = createAcdLogger(logFd(argv))): Promise<void> {
  const opts = parseCli(argv, Date.now());
  const log = recordLogger(logger);
  const scenario = loadScenario(opts.scenarioPath);
  if (opts.check) {
    log({ msg: 'scenario is valid', scenario: scenario.name, file: opts.scenarioPath });
    return;
  }
  // A paced run without a length goes on for ever; a max-speed run needs an end.
  const durationS = opts.durationS ?? scenario.durationS ?? (opts.speed === 'max' ? 86_400 : Infinity);
  if (opts.speed === 'max' && !Number.isFinite(durationS)) throw new Error(`--speed max needs a finite --duration\n${USAGE}`);
  const simStart = opts.startMs - opts.backfillDays * DAY_MS;
  const untilMs = opts.startMs + durationS * 1000;

  const sink: EventSink = opts.ingest
    ? new IngestSink({
        url: opts.ingest.url,
        key: opts.ingest.key,
        // large batches let a backfill stream at the ingest's pace; live traffic goes out every flushMs anyway
        batchSize: 5000,
        log: recordLogger(logger.child({ source: 'ingest-client' })),
      })
    : new NdjsonSink(opts.out as string);
  const sim = new Simulation(scenario, { startMs: simStart, sink, ...(opts.seed === undefined ? {} : { seed: opts.seed }) });

  const abort = new AbortController();
  const stop = (signal: string) => {
    log({ msg: 'stopping', signal });
    abort.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  log({
    msg: 'starting',
    scenario: scenario.name,
    run: sim.runId,
    seed: opts.seed ?? scenario.seed,
    speed: opts.speed,
    sim_start: new Date(simStart).toISOString(),
    start: new Date(opts.startMs).toISOString(),
    until: Number.isFinite(untilMs) ? new Date(untilMs).toISOString() : 'forever',
    backfill_days: opts.backfillDays,
    output: opts.ingest ? opts.ingest.url : opts.out,
  });
  const report = await runSimulation({
    sim,
    sink,
    untilMs,
    speed: opts.speed,
    anchorMs: opts.startMs,
    signal: abort.signal,
    log,
  });
  // A run that reached its end closes the center cleanly; an interrupted one closes at once.
  if (report.aborted) sim.acd.terminate(sim.now);
  else sim.finish();
  await sink.close();
  const stats = sink instanceof IngestSink ? { ingest: sink.stats } : {};
  log({
    msg: 'finished',
    ...report,
    calls_per_s: Math.round(report.calls / Math.max(0.001, report.elapsedMs / 1000)),
    events_per_s: Math.round(report.events / Math.max(0.001, report.elapsedMs / 1000)),
    ...stats,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const logger = createAcdLogger(logFd(process.argv.slice(2)));
  runAcdCli(process.argv.slice(2), logger).catch((err: unknown) => {
    logger.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
