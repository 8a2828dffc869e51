/**
 * `npm run check-feed -- FILE [--json] [--max-examples N] [--mid-stream]`: validates and audits a
 * recorded feed (NDJSON, one event per line, or a JSON array of events) without storing it, with
 * the same audit as `POST /v1/events?dry_run=1` and the admin feed-health view.
 *
 * Exit status: 0 when no error-level problem was found, 1 when one was, 2 when the input cannot be
 * read (missing file, a line that is not JSON: the line is named) or the arguments are wrong.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { auditFeed, type FeedAudit, type ProblemExample } from '../schemas/feed-audit/index.ts';

export const USAGE = `usage: npm run check-feed -- FILE.ndjson [--json] [--max-examples N] [--mid-stream]
  FILE            NDJSON (one event per line) or a JSON array of events; "-" reads stdin
  --json          print the audit as JSON instead of the summary
  --max-examples  examples shown per problem (default 5)
  --mid-stream    the feed is cut from a live feed: calls and agents may have begun before it`;

export interface CheckFeedArgs {
  file: string;
  json: boolean;
  maxExamples: number;
  midStream: boolean;
}

/** A problem with the command line or the input: reported on stderr, exit status 2. */
export class InputError extends Error {}

export function parseArgs(argv: readonly string[]): CheckFeedArgs {
  const args: CheckFeedArgs = { file: '', json: false, maxExamples: 5, midStream: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--json') args.json = true;
    else if (a === '--mid-stream') args.midStream = true;
    else if (a === '--max-examples' || a.startsWith('--max-examples=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InputError(`--max-examples: must be a whole number from 0 to 1000 (got ${JSON.stringify(value ?? '')})`);
      args.maxExamples = n;
    } else if (a.startsWith('--')) throw new InputError(`unknown option ${a}`);
    else if (args.file) throw new InputError(`one file only (got ${JSON.stringify(args.file)} and ${JSON.stringify(a)})`);
    else args.file = a;
  }
  if (!args.file) throw new InputError('no file given');
  return args;
}

export interface ReadFeed {
  events: unknown[];
  /** line number (1-based) of each event */
  lines: number[];
}

/** Reads NDJSON or a JSON array; throws InputError naming the line of a bad one. */
export async function readFeed(file: string): Promise<ReadFeed> {
  if (file !== '-') {
    const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`${file}: cannot read (${err.code ?? err.message})`);
    });
    if (!info.isFile()) throw new InputError(`${file}: not a file`);
  }
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const events: unknown[] = [];
  const lines: number[] = [];
  let arrayText: string[] | null = null;
  let lineNo = 0;
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const raw of reader) {
      lineNo++;
      if (arrayText) {
        arrayText.push(raw);
        continue;
      }
      const line = raw.trim();
      if (line.length === 0) continue;
      if (events.length === 0 && line.startsWith('[')) {
        arrayText = [raw];
        continue;
      }
      try {
        events.push(JSON.parse(line));
      } catch (err) {
        throw new InputError(`${file}: line ${lineNo} is not valid JSON (${(err as Error).message})`);
      }
      lines.push(lineNo);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read (${(err as Error).message})`);
  } finally {
    reader.close();
  }
  if (arrayText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(arrayText.join('\n'));
    } catch (err) {
      throw new InputError(`${file}: starts with "[" but is not a valid JSON array (${(err as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new InputError(`${file}: must be NDJSON or a JSON array of events`);
    // In an array the events have no lines of their own: name them by position.
    return { events: parsed, lines: [] };
  }
  return { events, lines };
}

const fmt = new Intl.NumberFormat('en');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt.format(n)} ${n === 1 ? one : many}`;
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function where(example: ProblemExample, lines: readonly number[]): string {
  if (example.index === undefined) return '';
  const line = lines[example.index];
  return line !== undefined ? `line ${line}` : `event #${example.index + 1}`;
}

/** The human summary of an audit. */
export function formatSummary(file: string, audit: FeedAudit, lines: readonly number[]): string {
  const out: string[] = [];
  const status = audit.status === 'ok' ? 'OK' : audit.status === 'warning' ? 'OK with warnings' : 'ERRORS';
  out.push(`check-feed ${file}`);
  out.push(`  ${plural(audit.events, 'event')} (${fmt.format(audit.valid)} valid, ${fmt.format(audit.invalid)} invalid), ${plural(audit.calls, 'call')}, ${plural(audit.agents, 'agent')}`);
  out.push(`  ts from ${iso(audit.first_ts)} to ${iso(audit.last_ts)}`);
  if (audit.sources.length > 1 || (audit.sources[0] && audit.sources[0].source !== '')) {
    out.push(`  sources: ${audit.sources.map((s) => `${s.source || '(unnamed)'} ${fmt.format(s.events)}`).join(', ')}`);
  }
  out.push(`  ${status}: ${plural(audit.errors, 'error')}, ${plural(audit.warnings, 'warning')}, ${fmt.format(audit.infos)} info`);
  for (const p of audit.problems) {
    out.push('');
    out.push(`${p.severity.toUpperCase().padEnd(7)} ${p.code} × ${fmt.format(p.count)}: ${p.title}`);
    for (const e of p.examples) {
      const at = where(e, lines);
      const ids = e.event_ids.length ? ` [${e.event_ids.join(', ')}]` : '';
      out.push(`        ${at ? `${at}: ` : ''}${e.message}${ids}`);
    }
    if (p.count > p.examples.length && p.examples.length > 0) out.push(`        … and ${fmt.format(p.count - p.examples.length)} more`);
    out.push(`        fix: ${p.advice}`);
  }
  if (audit.by_call.length > 0) {
    out.push('');
    out.push(`calls with the most problems (${plural(audit.calls_with_problems, "call")} in all):`);
    for (const c of audit.by_call.slice(0, 5)) out.push(`        ${c.id}: ${Object.entries(c.codes).map(([code, n]) => `${code} ${n}`).join(', ')}`);
  }
  if (audit.by_agent.length > 0) {
    out.push('');
    out.push(`agents with the most problems (${plural(audit.agents_with_problems, "agent")} in all):`);
    for (const a of audit.by_agent.slice(0, 5)) out.push(`        ${a.id}: ${Object.entries(a.codes).map(([code, n]) => `${code} ${n}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** Runs the command; returns the exit status. */
export async function main(argv: readonly string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  let args: CheckFeedArgs;
  let feed: ReadFeed;
  try {
    args = parseArgs(argv);
    feed = await readFeed(args.file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    stderr.write(`check-feed: ${err.message}\n${err.message.includes('JSON') ? '' : `${USAGE}\n`}`);
    return 2;
  }
  const audit = auditFeed(feed.events, { maxExamples: args.maxExamples, startsMidStream: args.midStream });
  stdout.write(args.json ? `${JSON.stringify(audit, null, 2)}\n` : formatSummary(args.file, audit, feed.lines));
  return audit.errors > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2), process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`check-feed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
