/**
 * Imports a queue_log file, and with `follow` keeps tailing it: reads whole lines, maps
 * them, sends the events in batches and saves the resume point after each ack (never
 * before). On restart it continues at the saved offset when the file is the same one; a
 * replaced (rotated) or truncated file is read from its start. Malformed lines and events
 * the server refuses are reported with their line number and skipped; nothing stops the import
 * but a bad key or a stop request.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { CallboardEvent } from '../../../schemas/events.ts';
import { limitsAt, validateEvent } from '../../../schemas/validate.ts';
import { QueueLogMapper, type MapperOptions } from './mapping.ts';
import { parseLine } from './parse.ts';
import type { Send } from './sender.ts';
import { identify, isSameFile, loadState, saveState } from './state.ts';

export interface ImportOptions extends MapperOptions {
  file: string;
  /** where the resume point is kept; null: none (dry run) */
  statePath: string | null;
  /** keep reading what Asterisk appends, until `signal` aborts */
  follow?: boolean;
  /** ignore a saved resume point and read the file from its start */
  fromStart?: boolean;
  /** lines per batch (a batch is also sent after `flushMs` when tailing); default 500 */
  batchLines?: number;
  flushMs?: number;
  /** how often a followed file is checked for new lines and rotation; default 250 ms */
  pollMs?: number;
  /** sends a batch and resolves with its ack; null for a dry run (`out` gets the events) */
  send: Send | null;
  out?: (ndjsonLine: string) => void;
  /** reports (malformed lines, rejections, rotation), one message each */
  report?: (message: string) => void;
  signal?: AbortSignal;
  /** wall clock, ms (tests) */
  now?: () => number;
}

export interface ImportSummary {
  /** lines read this run */
  lines: number;
  events: number;
  /** events newly stored */
  accepted: number;
  /** events the server already had (a resumed or repeated import) */
  duplicates: number;
  rejected: number;
  malformed: number;
  ignored: number;
  batches: number;
  /** offset and line number the run started at (after a resume) and ended at */
  startOffset: number;
  offset: number;
  line: number;
  rotations: number;
}

const CHUNK = 256 * 1024;
const MAX_LINE = 64 * 1024;
/** most events per request (the server's default MAX_BATCH_EVENTS is 50 000) */
const MAX_REQUEST_EVENTS = 5000;

interface Pending {
  events: CallboardEvent[];
  lineOf: number[];
  lines: number;
  endPos: number;
  endLine: number;
  since: number;
}

export async function importQueueLog(o: ImportOptions): Promise<ImportSummary> {
  const report = o.report ?? ((m: string) => process.stderr.write(`${m}\n`));
  const now = o.now ?? Date.now;
  const batchLines = o.batchLines ?? 500;
  const flushMs = o.flushMs ?? 1000;
  const pollMs = o.pollMs ?? 250;
  const sum: ImportSummary = {
    lines: 0,
    events: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    malformed: 0,
    ignored: 0,
    batches: 0,
    startOffset: 0,
    offset: 0,
    line: 0,
    rotations: 0,
  };

  let fd = openSync(o.file, 'r');
  const saved = o.statePath !== null && !o.fromStart ? loadState(o.statePath) : null;
  let mapper: QueueLogMapper;
  let pos = 0;
  let lineNo = 0;
  if (saved !== null && isSameFile(fd, saved.identity, saved.offset)) {
    pos = saved.offset;
    lineNo = saved.line;
    mapper = new QueueLogMapper(o, saved.mapper);
  } else {
    if (saved !== null) report(`${o.file}: not the file of the saved resume point (rotated, replaced or truncated): reading it from the start`);
    // Calls and agents in progress carry over a rotation.
    mapper = new QueueLogMapper(o, saved?.mapper);
  }
  sum.startOffset = pos;
  sum.offset = pos;
  sum.line = lineNo;

  let batch: Pending = { events: [], lineOf: [], lines: 0, endPos: pos, endLine: lineNo, since: now() };
  let readPos = pos;
  let leftover: Buffer = Buffer.alloc(0);
  let skipping = false;
  const chunk = Buffer.alloc(CHUNK);

  const add = (events: readonly CallboardEvent[], line: number): void => {
    if (batch.events.length === 0 && batch.lines === 0) batch.since = now();
    for (const e of events) {
      batch.events.push(e);
      batch.lineOf.push(line);
    }
  };

  const processLine = (bytes: Buffer, endPos: number): void => {
    lineNo++;
    sum.lines++;
    if (batch.lines === 0 && batch.events.length === 0) batch.since = now();
    batch.lines++;
    batch.endPos = endPos;
    batch.endLine = lineNo;
    const text = bytes.toString('utf8');
    const p = parseLine(text);
    if (!p.ok) {
      if (p.ignored) sum.ignored++;
      else {
        sum.malformed++;
        report(`line ${lineNo}: ${p.reason}: ${JSON.stringify(text.slice(0, 200))}`);
      }
      return;
    }
    try {
      add(mapper.map(p.line, text.endsWith('\r') ? text.slice(0, -1) : text), lineNo);
    } catch (err) {
      sum.malformed++;
      report(`line ${lineNo}: could not be mapped (${(err as Error).message}): ${JSON.stringify(text.slice(0, 200))}`);
    }
  };

  const flush = async (): Promise<void> => {
    if (batch.lines === 0 && batch.events.length === 0) return;
    const { events, lineOf } = batch;
    sum.events += events.length;
    if (o.send === null) {
      for (const e of events) (o.out ?? ((l: string) => process.stdout.write(`${l}\n`)))(JSON.stringify(e));
    } else {
      const limits = limitsAt(now());
      const ok: CallboardEvent[] = [];
      const okLine: number[] = [];
      events.forEach((e, i) => {
        const v = validateEvent(e, limits);
        if (v.ok) {
          ok.push(e);
          okLine.push(lineOf[i] as number);
        } else {
          sum.rejected++;
          report(`line ${lineOf[i]}: ${e.type} ${e.id} not sent: ${v.error}`);
        }
      });
      for (let start = 0; start < ok.length; start += MAX_REQUEST_EVENTS) {
        const part = ok.slice(start, start + MAX_REQUEST_EVENTS);
        const res = await o.send(part);
        sum.batches++;
        sum.accepted += res.accepted;
        sum.duplicates += res.duplicates ?? 0;
        sum.rejected += res.rejected_count;
        for (const r of res.rejected) {
          const e = part[r.index];
          report(`line ${okLine[start + r.index]}: ${e?.type} ${e?.id} rejected by the server: ${r.error}`);
        }
        if (res.rejected_count > res.rejected.length) report(`${res.rejected_count - res.rejected.length} more rejections in that batch`);
      }
    }
    sum.offset = batch.endPos;
    sum.line = batch.endLine;
    if (o.statePath !== null) {
      saveState(o.statePath, {
        v: 1,
        file: o.file,
        identity: identify(fd),
        offset: batch.endPos,
        line: batch.endLine,
        mapper: mapper.snapshot(),
        updatedAt: new Date(now()).toISOString(),
      });
    }
    batch = { events: [], lineOf: [], lines: 0, endPos: batch.endPos, endLine: batch.endLine, since: now() };
  };

  /** Splits what was read into lines; keeps a partial last line for later. */
  const consume = async (data: Buffer): Promise<void> => {
    let buf = leftover.length > 0 ? Buffer.concat([leftover, data]) : data;
    let base = readPos - buf.length; // file offset of buf[0]
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      if (skipping) skipping = false;
      else processLine(buf.subarray(start, nl), base + nl + 1);
      start = nl + 1;
      if (batch.lines >= batchLines) await flush();
    }
    buf = Buffer.from(buf.subarray(start));
    base += start;
    if (buf.length > MAX_LINE && !skipping) {
      lineNo++;
      sum.lines++;
      sum.malformed++;
      report(`line ${lineNo}: longer than ${MAX_LINE} bytes: skipped`);
      skipping = true;
    }
    leftover = skipping ? Buffer.alloc(0) : buf;
  };

  const aborted = (): boolean => o.signal?.aborted === true;

  try {
    for (;;) {
      if (aborted()) {
        await flush();
        break;
      }
      const n = readSync(fd, chunk, 0, CHUNK, readPos);
      if (n > 0) {
        readPos += n;
        await consume(chunk.subarray(0, n));
        continue;
      }
      // End of the file for now.
      if (!o.follow) {
        if (leftover.length > 0 && !skipping) processLine(leftover, readPos);
        leftover = Buffer.alloc(0);
        add(mapper.flushDue(now()), lineNo);
        await flush();
        break;
      }
      add(mapper.flushDue(now()), lineNo);
      if (batch.events.length > 0 || batch.lines > 0) {
        if (now() - batch.since >= flushMs || aborted()) await flush();
      }
      // Rotation: the path now names another file (after the old one was read to its end),
      // or the file was truncated (copytruncate).
      let replaced = false;
      try {
        const st = statSync(o.file);
        const cur = fstatSync(fd);
        replaced = st.ino !== cur.ino || st.dev !== cur.dev;
        if (!replaced && cur.size < readPos) {
          await flush();
          report(`${o.file}: truncated: reading it from the start`);
          sum.rotations++;
          readPos = 0;
          leftover = Buffer.alloc(0);
          skipping = false;
          lineNo = 0;
          batch = { events: [], lineOf: [], lines: 0, endPos: 0, endLine: 0, since: now() };
          continue;
        }
      } catch {
        // the path is missing between rotation steps: keep the old file for now
      }
      if (replaced) {
        const more = readSync(fd, chunk, 0, CHUNK, readPos);
        if (more > 0) {
          readPos += more;
          await consume(chunk.subarray(0, more));
          continue;
        }
        if (leftover.length > 0 && !skipping) processLine(leftover, readPos);
        await flush();
        closeSync(fd);
        fd = openSync(o.file, 'r');
        report(`${o.file}: replaced (rotated): reading the new file from the start`);
        sum.rotations++;
        readPos = 0;
        leftover = Buffer.alloc(0);
        skipping = false;
        lineNo = 0;
        batch = { events: [], lineOf: [], lines: 0, endPos: 0, endLine: 0, since: now() };
        continue;
      }
      await sleep(pollMs, o.signal);
    }
  } finally {
    closeSync(fd);
  }
  return sum;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
