/**
 * The Asterisk queue_log adapter (issue 10) against the real server process and real chDB:
 * the CLI imports the real FreePBX lines and fixtures written from Asterisk's documented
 * format over the wire contract; the stored events, their call facts and the live board
 * come out right; a restart resumes from the saved offset without duplicates; malformed
 * lines are reported with their line numbers; --follow tails and stops cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent } from '../schemas/validate.ts';
import { callEventOf, deriveCall } from '../server/contact-metrics/call-facts.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REAL = join(ROOT, '..', 'shared', 'data', 'queue_log', 'asterisk-issue-759-attended-transfer.queue_log');
const NORMAL_DAY = join(ROOT, 'test', 'fixtures', 'queue_log', 'normal-day.queue_log');
const MALFORMED = join(ROOT, 'test', 'fixtures', 'queue_log', 'malformed.queue_log');
/** 2026-11-23T00:00Z: the fixtures' day */
const DAY = Date.UTC(2026, 10, 23);

const dir = tempDataDir('queue-log');
let server: ServerProcess;
let cookie: string;

beforeAll(async () => {
  server = await ServerProcess.start(join(dir, 'data'), { DEFAULT_TIME_ZONE: 'UTC' });
  cookie = await server.login();
});
afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: Record<string, number>;
}

function startCli(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/adapters/asterisk/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.once('exit', (code) => {
      const m = /queue-log: done (\{.*\})/.exec(stderr);
      resolve({ code, stdout, stderr, summary: m ? (JSON.parse(m[1]!) as Record<string, number>) : {} });
    }),
  );
  return { child, done };
}

const importFile = (file: string, state: string, ...extra: string[]): Promise<Run> =>
  startCli(['--file', file, '--ingest', server.url, '--key', TEST_INGEST_KEY, '--state', state, ...extra]).done;

type Stored = Record<string, unknown> & { id: string; type: string; ts: number | string; call?: string };

/**
 * Stored events through the raw export. Retried: the embedded store can drop an export stream
 * when another query (the settings' first-seen writes after an import) runs on its session at
 * the same moment ("No active streaming query"; platform/store/chdb-store.ts locks streams only
 * against streams).
 */
async function exported(query: Record<string, string | number>): Promise<Stored[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await server.exportEvents(cookie, query)) as Stored[];
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

function factsOf(events: Stored[], call: string): ReturnType<typeof deriveCall> {
  const evs = events.filter((e) => e.call === call).map((e) => {
    const v = validateEvent(e, { minTs: 0, maxTs: Date.now() + 86400_000 });
    if (!v.ok) throw new Error(v.error);
    return callEventOf(v.event);
  });
  return deriveCall(evs);
}

describe('npm run queue-log (CLI) against the server', () => {
  it('imports the real FreePBX lines (attended transfer 1501 → 1509) into calls the metrics read right', async () => {
    const file = join(dir, 'issue-759.queue_log');
    copyFileSync(REAL, file);
    const run = await importFile(file, join(dir, 'issue-759.state'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ lines: 8, events: 16, accepted: 16, rejected: 0, malformed: 0 });

    const stored = await exported({ from: 1717397000_000, to: 1717398000_000 });
    expect(stored).toHaveLength(16);
    const facts = factsOf(stored, '1717397243.239826');
    expect(facts.visits.map((v) => [v.queue, v.entry, v.outcome, v.agent, v.waitMs])).toEqual([
      ['1501', 'new', 'answered', '7009', 12_000 - 1],
      ['1509', 'transfer', 'answered', '7051', 6_000],
    ]);
    expect(facts.legs.map((l) => [l.agent, l.queue, l.endReason, l.talkMs])).toEqual([
      ['7009', '1501', 'transfer', 120_000],
      ['7051', '1509', 'ended', 173_000],
    ]);
    expect(facts).toMatchObject({ endedBy: 'agent', transfers: 1, complete: true });
    expect(facts.caller).toMatchObject({ queue: '1501', outcome: 'answered', answeredQueue: '1501' });
    // the consultation call the agent placed into queue 1509 is gone once the caller took its place
    expect(factsOf(stored, '1717397390.239830')).toMatchObject({ endedBy: 'system', visits: [{ queue: '1509', outcome: 'flowed_out' }] });
  });

  it('imports a day in parts, resumes from the saved offset, and never stores an event twice', async () => {
    const file = join(dir, 'day.queue_log');
    const state = join(dir, 'day.state');
    const lines = readFileSync(NORMAL_DAY, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${lines.slice(0, 25).join('\n')}\n`);
    const first = await importFile(file, state, '--batch', '7');
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ startOffset: 0, lines: 25, line: 25, malformed: 0 });
    const size25 = first.summary.offset;
    expect(size25).toBe(Buffer.byteLength(`${lines.slice(0, 25).join('\n')}\n`));

    appendFileSync(file, `${lines.slice(25).join('\n')}\n`);
    const second = await importFile(file, state);
    expect(second.summary).toMatchObject({ startOffset: size25, lines: lines.length - 25, line: lines.length, rejected: 0 });

    const range = { from: DAY, to: DAY + 86400_000 };
    const stored = await exported(range);
    expect(stored).toHaveLength(first.summary.events! + second.summary.events!);
    expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length);

    // nothing new: nothing read, nothing sent
    const third = await importFile(file, state);
    expect(third.summary).toMatchObject({ startOffset: second.summary.offset, lines: 0, events: 0 });

    // the resume point lost: the whole file again, and the ingest keeps one copy of each event
    rmSync(state);
    const again = await importFile(file, state);
    expect(again.summary).toMatchObject({ startOffset: 0, lines: lines.length, events: stored.length, rejected: 0 });
    const after = await exported(range);
    expect(after.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());

    // the calls read as the fixture says
    const f = (call: string) => factsOf(after, call);
    expect(f('1795420100.21').visits).toMatchObject([{ queue: 'sales', outcome: 'answered', agent: '1001', waitMs: 20_000 - 1 }]);
    expect(f('1795420400.31').visits).toMatchObject([{ queue: 'support', outcome: 'abandoned', abandonStage: 'queue' }]);
    expect(f('1795420500.41').visits).toMatchObject([{ queue: 'sales', outcome: 'abandoned', abandonStage: 'ringing' }]);
    expect(f('1795420600.51').visits).toMatchObject([
      { queue: 'sales', outcome: 'answered', agent: '1002' },
      { queue: 'support', entry: 'transfer', outcome: 'answered', agent: '1003' },
    ]);
    expect(f('1795421100.61')).toMatchObject({ endedBy: 'system', visits: [{ queue: 'support', outcome: 'flowed_out', flowedTo: 'exit:timeout' }] });
    expect(f('1795421700.91')).toMatchObject({ complete: true, legs: [{ agent: '1004', endReason: 'transfer' }] });
  });

  it('reports malformed lines with their line numbers and imports the rest', async () => {
    const file = join(dir, 'malformed.queue_log');
    copyFileSync(MALFORMED, file);
    const run = await importFile(file, join(dir, 'malformed.state'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ lines: 12, malformed: 7, ignored: 1, rejected: 0, accepted: 8 });
    const reported = [...run.stderr.matchAll(/^queue-log: line (\d+): /gm)].map((m) => Number(m[1]));
    expect(reported).toEqual([3, 4, 5, 6, 7, 9, 11]);
    expect(run.stderr).toContain('line 5: unknown event "TELEPORT"');
    const stored = await exported({ from: DAY, to: DAY + 86400_000, call: '1795420810.1' });
    expect(stored.map((e) => e.type)).toEqual(['call.offered', 'call.queued', 'call.answered', 'call.ended', 'call.wrapup']);
  });

  it('--dry-run prints NDJSON and sends nothing', async () => {
    const { done } = startCli(['--file', REAL, '--dry-run']);
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Stored);
    expect(events).toHaveLength(16);
    expect(events[0]).toMatchObject({ type: 'call.offered', from: '9031396745' });
  });

  it('fails clearly on a bad key, and on bad options', async () => {
    const bad = await startCli(['--file', REAL, '--ingest', server.url, '--key', 'not-a-key-0123456789', '--state', join(dir, 'bad.state')]).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 401/);
    const usage = await startCli(['--file', REAL]).done;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--ingest and --key are required/);
  });

  it("--follow tails today's log into the live board, and SIGTERM stops it with the offset saved", async (ctx) => {
    // The fixture day moved to today (ending 2 minutes ago), with its own call ids.
    const lines = readFileSync(NORMAL_DAY, 'utf8').split('\n').filter(Boolean);
    const first = Number(lines[0]!.split('|')[0]);
    const last = Number(lines[lines.length - 1]!.split('|')[0]);
    const end = Math.floor(Date.now() / 1000) - 120;
    const startOfToday = Math.floor(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) / 1000);
    if (end - (last - first) < startOfToday) ctx.skip(); // just after midnight UTC: the log would straddle two days
    const shift = end - last;
    const today = lines.map((l) => {
      const f = l.split('|');
      f[0] = String(Number(f[0]) + shift);
      if (f[1] !== 'NONE') f[1] = `t-${f[1]}`;
      return f.join('|');
    });
    const file = join(dir, 'today.queue_log');
    const state = join(dir, 'today.state');
    writeFileSync(file, `${today.slice(0, 10).join('\n')}\n`);
    const { child, done } = startCli(['--file', file, '--ingest', server.url, '--key', TEST_INGEST_KEY, '--state', state, '--follow', '--site', 'asterisk-berlin']);
    const waitFor = async <T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> => {
      const deadline = Date.now() + ms;
      let v = await get();
      while (!ok(v) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        v = await get();
      }
      expect(ok(v)).toBe(true);
      return v;
    };
    interface Snap {
      queues: { queue: string; site: string; waiting: number; today: Record<string, number | null> }[];
      agents: { agent: string; state: string; reason: string | null; queues: string[] }[];
    }
    const live = async (): Promise<Snap> => (await (await fetch(`${server.url}/v1/live/snapshot`, { headers: { cookie } })).json()) as Snap;
    // the first lines: call A waits in sales
    await waitFor(live, (s) => s.queues.find((q) => q.queue === 'sales')?.waiting === 1);
    appendFileSync(file, `${today.slice(10).join('\n')}\n`);
    const snap = await waitFor(live, (s) => s.agents.find((a) => a.agent === '1004')?.state === 'logged_out');
    const q = (name: string) => snap.queues.find((x) => x.queue === name)!.today;
    expect(q('sales')).toMatchObject({ offered: 5, answered: 3, abandoned: 1, flowed_out: 1 });
    expect(q('support')).toMatchObject({ offered: 5, answered: 2, abandoned: 1, flowed_out: 2 });
    const agent = (id: string) => snap.agents.find((a) => a.agent === id)!;
    expect(agent('1001')).toMatchObject({ state: 'available', queues: ['sales', 'support'] });
    expect(agent('1002')).toMatchObject({ state: 'logged_out' });
    expect(agent('1003')).toMatchObject({ state: 'available', queues: ['support'] });

    child.kill('SIGTERM');
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ lines: lines.length, malformed: 0, rejected: 0 });
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { offset: number; line: number };
    expect(saved).toMatchObject({ offset: Buffer.byteLength(`${today.join('\n')}\n`), line: lines.length });
  });
});
