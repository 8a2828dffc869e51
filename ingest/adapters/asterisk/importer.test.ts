import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importQueueLog, type ImportOptions } from './importer.ts';
import { FatalSendError, httpSender, type Send, type SendResult } from './sender.ts';
import { loadState } from './state.ts';

const FIXTURES = new URL('../../../test/fixtures/queue_log/', import.meta.url);
const fixture = (name: string): string => new URL(name, FIXTURES).pathname;

type Ev = { id: string; type: string; call?: string; agent?: string };

/** A sender that records what it got and answers like the server (all accepted unless told). */
function recorder(answer?: (events: readonly Ev[]) => Partial<SendResult> | Error): Send & { got: Ev[][] } {
  const got: Ev[][] = [];
  const send = (async (events: readonly unknown[]) => {
    const evs = events as Ev[];
    const a = answer?.(evs);
    if (a instanceof Error) throw a;
    got.push([...evs]);
    const rejected = a?.rejected ?? [];
    return { accepted: evs.length - rejected.length, rejected, rejected_count: rejected.length, ...a };
  }) as Send & { got: Ev[][] };
  send.got = got;
  return send;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'queue-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function opts(file: string, send: Send | null, extra: Partial<ImportOptions> = {}): ImportOptions & { reports: string[] } {
  const reports: string[] = [];
  return { file, statePath: join(dir, 'state.json'), send, report: (m) => reports.push(m), reports, ...extra };
}

describe('importQueueLog', () => {
  it('imports a file, saves the resume point, and on the next run reads only what was appended', async () => {
    const file = join(dir, 'queue_log');
    const day = readFileSync(fixture('normal-day.queue_log'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${day.slice(0, 30).join('\n')}\n`);
    const s1 = recorder();
    const o1 = opts(file, s1, { batchLines: 7 });
    const r1 = await importQueueLog(o1);
    expect(r1).toMatchObject({ lines: 30, malformed: 0, ignored: 1, startOffset: 0, line: 30 });
    expect(s1.got.length).toBeGreaterThan(3);
    const size1 = Buffer.byteLength(`${day.slice(0, 30).join('\n')}\n`);
    expect(loadState(join(dir, 'state.json'))).toMatchObject({ offset: size1, line: 30 });

    appendFileSync(file, `${day.slice(30).join('\n')}\n`);
    const s2 = recorder();
    const r2 = await importQueueLog(opts(file, s2));
    expect(r2).toMatchObject({ startOffset: size1, lines: day.length - 30, line: day.length });

    // The two runs together send exactly what one run over the whole file sends.
    const whole = join(dir, 'whole');
    copyFileSync(fixture('normal-day.queue_log'), whole);
    const s3 = recorder();
    await importQueueLog({ ...opts(whole, s3), statePath: join(dir, 'whole.json') });
    const ids = (s: { got: Ev[][] }): string[] => s.got.flat().map((e) => e.id);
    expect([...ids(s1), ...ids(s2)].sort()).toEqual(ids(s3).sort());
    expect(new Set(ids(s3)).size).toBe(ids(s3).length);
  });

  it('a batch that was never acknowledged is sent again after a restart; nothing else is', async () => {
    const file = join(dir, 'queue_log');
    copyFileSync(fixture('normal-day.queue_log'), file);
    let calls = 0;
    const failing = recorder(() => (++calls === 3 ? new FatalSendError('down') : {}));
    await expect(importQueueLog(opts(file, failing, { batchLines: 10 }))).rejects.toThrow('down');
    const state = loadState(join(dir, 'state.json'))!;
    expect(state.line).toBe(20);
    const again = recorder();
    const r = await importQueueLog(opts(file, again, { batchLines: 10 }));
    expect(r.startOffset).toBe(state.offset);
    const all = recorder();
    await importQueueLog({ ...opts(file, all), statePath: null });
    const sent = [...failing.got.flat(), ...again.got.flat()].map((e) => e.id);
    expect(sent.sort()).toEqual(all.got.flat().map((e) => e.id).sort());
  });

  it('reports malformed lines and refused events with their line numbers and carries on', async () => {
    const file = join(dir, 'queue_log');
    copyFileSync(fixture('malformed.queue_log'), file);
    const s = recorder((evs) => {
      const i = evs.findIndex((e) => e.type === 'call.wrapup');
      return i < 0 ? {} : { rejected: [{ index: i, code: 'invalid_event' as const, error: 'agent: something the server did not like' }] };
    });
    const o = opts(file, s);
    const r = await importQueueLog(o);
    expect(r).toMatchObject({ lines: 12, malformed: 7, ignored: 1, rejected: 1 });
    expect(o.reports.map((m) => m.split(':')[0])).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 9', 'line 11', 'line 12']);
    expect(o.reports[0]).toContain('3 fields, at least 5 expected');
    expect(o.reports[2]).toContain('unknown event "TELEPORT"');
    expect(o.reports[7]).toMatch(/^line 12: call\.wrapup ql-\S+ rejected by the server: agent: something/);
    // the good lines went through (line 10 ends with CR)
    expect(s.got.flat().map((e) => e.type)).toContain('call.answered');
  });

  it('reads a replaced (rotated) or truncated file from the start', async () => {
    const file = join(dir, 'queue_log');
    copyFileSync(fixture('normal-day.queue_log'), file);
    await importQueueLog(opts(file, recorder()));
    renameSync(file, `${file}.1`);
    writeFileSync(file, '1795430000|c1|sales|NONE|ENTERQUEUE||1|1\n');
    const s = recorder();
    const o = opts(file, s);
    const r = await importQueueLog(o);
    expect(r).toMatchObject({ startOffset: 0, lines: 1 });
    expect(o.reports[0]).toMatch(/not the file of the saved resume point/);
    expect(s.got.flat().map((e) => e.type)).toEqual(['call.offered', 'call.queued']);
  });

  it('dry run prints NDJSON and writes no state', async () => {
    const out: string[] = [];
    const r = await importQueueLog({ file: fixture('normal-day.queue_log'), statePath: null, send: null, out: (l) => out.push(l), report: () => {} });
    expect(out.length).toBe(r.events);
    expect(JSON.parse(out[0]!)).toMatchObject({ type: 'agent.state', agent: '1001', state: 'available' });
  });

  it('follows the file: new lines, a rotation, and stops on abort with the state saved', async () => {
    const file = join(dir, 'queue_log');
    writeFileSync(file, '1795430000|c1|sales|NONE|ENTERQUEUE||1|1\n');
    const s = recorder();
    const ac = new AbortController();
    const o = opts(file, s, { follow: true, pollMs: 10, flushMs: 0, signal: ac.signal });
    const run = importQueueLog(o);
    const sent = (): Ev[] => s.got.flat();
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(ok()).toBe(true);
    };
    await until(() => sent().length === 2);
    appendFileSync(file, '1795430005|c1|sales|PJSIP/1001|CONN');
    await new Promise((r) => setTimeout(r, 50));
    expect(sent().length).toBe(2); // half a line is not read
    appendFileSync(file, 'ECT|5|c2|1\n');
    await until(() => sent().some((e) => e.type === 'call.answered'));
    // logrotate: move away (Asterisk still appends one line to the old file), then a new file
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, '1795430100|c1|sales|PJSIP/1001|COMPLETEAGENT|5|95|1\n');
    writeFileSync(file, '1795430200|c2|sales|NONE|ENTERQUEUE||2|1\n');
    await until(() => sent().some((e) => e.call === 'c2'));
    expect(sent().some((e) => e.type === 'call.ended' && e.call === 'c1')).toBe(true);
    ac.abort();
    const r = await run;
    expect(r.rotations).toBe(1);
    expect(loadState(join(dir, 'state.json'))).toMatchObject({ line: 1, offset: Buffer.byteLength('1795430200|c2|sales|NONE|ENTERQUEUE||2|1\n') });
    expect(o.reports.some((m) => m.includes('replaced (rotated)'))).toBe(true);
  });
});

describe('httpSender', () => {
  let server: Server;
  let url: string;
  const answers: { status: number; body: string; headers?: Record<string, string> }[] = [];
  const seen: { auth: string | undefined; body: string }[] = [];
  beforeEach(async () => {
    answers.length = 0;
    seen.length = 0;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        const a = answers.shift() ?? { status: 200, body: '{"accepted":1,"rejected":[],"rejected_count":0}' };
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('retries 503/429/5xx with back-off and returns the ack', async () => {
    answers.push({ status: 503, body: '{"error":"store down"}', headers: { 'retry-after': '0.01' } });
    answers.push({ status: 429, body: '{"error":"busy"}' });
    answers.push({ status: 500, body: 'oops' });
    const retries: string[] = [];
    const send = httpSender({ url, key: 'k-0123456789abcdef', backoffMs: 5, onRetry: (r) => retries.push(r) });
    expect(await send([{ id: 'x' }])).toEqual({ accepted: 1, rejected: [], rejected_count: 0 });
    expect(retries).toHaveLength(3);
    expect(seen).toHaveLength(4);
    expect(seen[0]!.auth).toBe('Bearer k-0123456789abcdef');
    expect(JSON.parse(seen[0]!.body)).toEqual([{ id: 'x' }]);
  });

  it('gives up on a bad key', async () => {
    answers.push({ status: 401, body: '{"error":"bad key"}' });
    await expect(httpSender({ url, key: 'nope' })([{ id: 'x' }])).rejects.toBeInstanceOf(FatalSendError);
  });

  it('retries network errors until stopped', async () => {
    let stop = false;
    const send = httpSender({ url: 'http://127.0.0.1:9/', key: 'k', backoffMs: 5, onRetry: () => (stop = true), stopped: () => stop });
    await expect(send([{ id: 'x' }])).rejects.toThrow(/stopped while retrying \(network/);
  });
});
