/**
 * Command line of the ACD simulator:
 *
 *   npm run acd -- --scenario FILE [--speed realtime|max|N] [--duration 8h|forever]
 *                  [--seed S] [--start ISO] [--backfill-days N]
 *                  (--ingest ws://HOST:PORT/v1/ingest --key K | --out FILE.ndjson|-)
 *                  [--record-share S] [--record-backfill-share S] [--record-backfill-max N]
 *                  [--record-url http://HOST:PORT] [--record-audio FILE.wav]
 *   npm run acd -- --scenario FILE --check     (check the scenario and exit: 0 good, 1 not)
 *
 * Logs JSON lines (pino, acd/log.ts) to stdout, or to stderr when the events go to
 * stdout (`--out -`). SIGINT/SIGTERM stop the run after flushing output.
 *
 * With `--ingest`, the recorder (edges/recorder.ts) uploads a recording of every answered
 * real-time call (`--record-share`, default 1) and of a sample of the backfill
 * (`--record-backfill-share`, default 0.02, at most `--record-backfill-max`, default 50) to
 * `--record-url` (default: the ingest's host over http(s)); shares of 0 turn it off.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { IngestSink } from './edges/ingest-sink.ts';
import { NdjsonSink } from './edges/ndjson-sink.ts';
import { CallRecorder, DEMO_AUDIO_FILE, loadDemoAudio, RecordingSink, recordUrlFromIngest } from './edges/recorder.ts';
import { runSimulation } from './edges/run-loop.ts';
import type { EventSink } from './sim/sink.ts';
import { loadScenario } from './edges/scenario-file.ts';
import { createAcdLogger, recordLogger, type AcdLogger } from './log.ts';
import { Simulation } from './sim/simulator.ts';
import { DAY_MS, parseDuration } from './time.ts';

const USAGE = `usage: npm run acd -- --scenario FILE [--speed realtime|max|N] [--duration 8h|forever] [--seed S]
         [--start ISO] [--backfill-days N] (--ingest ws://HOST:PORT/v1/ingest --key K | --out FILE.ndjson|-)
         [--record-share S] [--record-backfill-share S] [--record-backfill-max N] [--record-url URL] [--record-audio FILE]
       npm run acd -- --scenario FILE --check`;

/** How long a finished run waits for its recordings to upload. */
const RECORDINGS_DRAIN_MS = 120_000;

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
  /** recordings of the simulated calls (with --ingest, unless both shares are 0) */
  record: RecordCliOptions | undefined;
  /** only check the scenario */
  check?: true;
}

export interface RecordCliOptions {
  /** the server's base URL */
  url: string;
  share: number;
  backfillShare: number;
  backfillMax: number;
  /** stereo μ-law WAV the recordings are cut from (default the demo call) */
  audio: string | undefined;
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
      'record-share': { type: 'string' },
      'record-backfill-share': { type: 'string' },
      'record-backfill-max': { type: 'string' },
      'record-url': { type: 'string' },
      'record-audio': { type: 'string' },
    },
    strict: true,
  });
  const fail = (msg: string): never => {
    throw new Error(`${msg}\n${USAGE}`);
  };
  if (!values.scenario) fail('--scenario is required');
  if (values.check) {
    const scenarioPath = values.scenario as string;
    return { scenarioPath, speed: 'max', durationS: undefined, seed: undefined, startMs: nowMs, backfillDays: 0, ingest: undefined, out: undefined, record: undefined, check: true };
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

  const recordFlags = ['record-share', 'record-backfill-share', 'record-backfill-max', 'record-url', 'record-audio'] as const;
  if (!values.ingest && recordFlags.some((f) => values[f] !== undefined)) fail('--record-* options need --ingest');
  const share = (flag: (typeof recordFlags)[number], dflt: number): number => {
    const raw = values[flag];
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (raw.trim() === '' || !(n >= 0 && n <= 1)) fail(`--${flag} must be a number from 0 to 1 (got ${raw})`);
    return n;
  };
  let record: RecordCliOptions | undefined;
  if (values.ingest) {
    const backfillMaxText = values['record-backfill-max'];
    const backfillMax = backfillMaxText === undefined ? 50 : Number(backfillMaxText);
    if (!Number.isInteger(backfillMax) || backfillMax < 0) fail(`--record-backfill-max must be a whole number ≥ 0 (got ${backfillMaxText})`);
    const url = values['record-url'] ?? recordUrlFromIngest(values.ingest);
    if (!/^https?:\/\/[^/]+\/?$/.test(url)) fail(`--record-url must be the server's http(s)://HOST:PORT (got ${url})`);
    const r = { url: url.replace(/\/$/, ''), share: share('record-share', 1), backfillShare: share('record-backfill-share', 0.02), backfillMax, audio: values['record-audio'] };
    if (r.share > 0 || (r.backfillShare > 0 && r.backfillMax > 0)) record = r;
  }
  return {
    scenarioPath: values.scenario as string,
    speed,
    durationS,
    seed: values.seed,
    startMs,
    backfillDays,
    ingest: values.ingest ? { url: values.ingest, key: values.key as string } : undefined,
    out: values.out,
    record,
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

  const events: EventSink = opts.ingest
    ? new IngestSink({
        url: opts.ingest.url,
        key: opts.ingest.key,
        // large batches let a backfill stream at the ingest's pace; live traffic goes out every flushMs anyway
        batchSize: 5000,
        log: recordLogger(logger.child({ source: 'ingest-client' })),
      })
    : new NdjsonSink(opts.out as string);
  const recorder =
    opts.record && opts.ingest
      ? new CallRecorder({
          url: opts.record.url,
          key: opts.ingest.key,
          audio: loadDemoAudio(opts.record.audio === undefined ? DEMO_AUDIO_FILE : resolve(opts.record.audio)),
          share: opts.record.share,
          backfillShare: opts.record.backfillShare,
          backfillMax: opts.record.backfillMax,
          backfillUntilMs: opts.backfillDays > 0 ? opts.startMs : -Infinity,
          log: recordLogger(logger.child({ source: 'recorder' })),
        })
      : null;
  const sink: EventSink = recorder ? new RecordingSink(events, recorder) : events;
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
    recordings: opts.record ? { url: opts.record.url, share: opts.record.share, backfill_share: opts.record.backfillShare, backfill_max: opts.record.backfillMax } : 'off',
  });
  const report = await runSimulation({
    sim,
    sink,
    untilMs,
    speed: opts.speed,
    anchorMs: opts.startMs,
    signal: abort.signal,
    log,
    // the backfill's events are sent: its recordings follow in the background
    onCaughtUp: () => recorder?.releaseBackfill(),
  });
  // A run that reached its end closes the center cleanly; an interrupted one closes at once.
  if (report.aborted) recorder?.close(); // the calls the stop cuts short are not recorded
  if (report.aborted) sim.acd.terminate(sim.now);
  else sim.finish();
  await sink.close();
  if (recorder) {
    // a run that reached its end uploads what it recorded (a max-speed run's backfill sample too)
    if (!report.aborted) {
      recorder.releaseBackfill();
      if (!(await recorder.drain(RECORDINGS_DRAIN_MS))) log({ level: 'warn', msg: 'recordings still uploading at the end of the run were dropped', ...recorder.stats });
    }
    recorder.close();
  }
  const stats = events instanceof IngestSink ? { ingest: events.stats } : {};
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
