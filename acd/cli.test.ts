import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../schemas/events.ts';
import { EventAuditor } from './check/audit.ts';
import { parseCli } from './cli.ts';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'acd-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.parse('2025-05-05T12:00:00Z');
const cli = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'acd/cli.ts', ...args], { cwd: root });

function readEvents(file: string): CallboardEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CallboardEvent);
}

describe('parseCli', () => {
  it('reads every option, with defaults by output kind', () => {
    expect(parseCli(['--scenario', 's.json', '--out', 'f.ndjson'], NOW)).toEqual({
      scenarioPath: 's.json',
      speed: 'max',
      durationS: undefined,
      seed: undefined,
      startMs: NOW,
      backfillDays: 0,
      ingest: undefined,
      out: 'f.ndjson',
    });
    const o = parseCli(['--scenario', 's.json', '--ingest', 'ws://h:1/v1/ingest', '--key', 'k', '--duration', 'forever', '--backfill-days', '14', '--seed', '9', '--start', '2025-01-01T00:00:00Z'], NOW);
    expect(o).toMatchObject({ speed: 1, durationS: Infinity, backfillDays: 14, seed: '9', startMs: Date.parse('2025-01-01T00:00:00Z'), ingest: { url: 'ws://h:1/v1/ingest', key: 'k' } });
    expect(parseCli(['--scenario', 's', '--out', 'f', '--speed', '60', '--duration', '8h'], NOW)).toMatchObject({ speed: 60, durationS: 28_800 });
    expect(parseCli(['--scenario', 's', '--check'], NOW)).toMatchObject({ scenarioPath: 's', check: true, out: undefined, ingest: undefined });
  });

  it('explains bad command lines', () => {
    expect(() => parseCli(['--out', 'f'], NOW)).toThrow(/--scenario is required/);
    expect(() => parseCli(['--scenario', 's'], NOW)).toThrow(/an output is required/);
    expect(() => parseCli(['--scenario', 's', '--ingest', 'ws://h/v1/ingest'], NOW)).toThrow(/--ingest needs --key/);
    expect(() => parseCli(['--scenario', 's', '--out', 'f', '--speed', 'fast'], NOW)).toThrow(/--speed must be realtime, max or a positive factor/);
    expect(() => parseCli(['--scenario', 's', '--out', 'f', '--duration', 'a while'], NOW)).toThrow(/--duration must look like/);
    expect(() => parseCli(['--scenario', 's', '--out', 'f', '--colour', 'red'], NOW)).toThrow(/colour/);
  });
});

describe('acd command line', () => {
  it('writes a sound NDJSON stream with backfill, logging JSON lines to stdout', async () => {
    const out = join(dir, 'demo.ndjson');
    const { stdout } = await cli(['--scenario', 'acd/scenarios/demo-utility.json', '--backfill-days', '1', '--duration', '2h', '--start', '2025-05-06T10:00:00+02:00', '--out', out]);
    const logs = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; calls?: number; level: string });
    expect(logs[0]?.msg).toBe('starting');
    expect(logs.at(-1)?.msg).toBe('finished');
    expect(logs.every((l) => l.level === 'info')).toBe(true);
    const events = readEvents(out);
    const auditor = new EventAuditor();
    for (const e of events) auditor.add(e);
    const report = auditor.report();
    expect(report.problems).toEqual([]);
    expect(report.openCalls).toBe(0);
    // History starts a day before --start and ends two hours after it.
    expect(Number(events[0]?.ts)).toBe(Date.parse('2025-05-05T10:00:00+02:00'));
    expect(Number(events.at(-1)?.ts)).toBeGreaterThanOrEqual(Date.parse('2025-05-06T12:00:00+02:00'));
  });

  it('names the file and JSON path of scenario errors', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ queues: [{ name: 'q' }], agents: [{ id: 'a', queues: ['x'] }], arrivals: [] }));
    const err = await cli(['--scenario', bad, '--out', join(dir, 'x.ndjson')]).catch((e: { stdout: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stdout: string }).stdout).toContain(`${bad}: scenario: agents.0.queues.0: unknown queue`);
    // one pino line, the error with its stack
    const line = JSON.parse((err as { stdout: string }).stdout.trim()) as { level: string; msg: string; err: { type: string; stack: string } };
    expect(line.level).toBe('fatal');
    expect(line.err.stack).toContain('loadScenario');
  });

  it('only checks a scenario with --check (exit 0 good, 1 not), writing nothing', async () => {
    const checked = await cli(['--scenario', 'acd/scenarios/demo-utility.json', '--check']);
    expect(JSON.parse(checked.stdout)).toMatchObject({ level: 'info', msg: 'scenario is valid', scenario: 'demo-utility' });
    const bad = join(dir, 'bad-check.json');
    writeFileSync(bad, JSON.stringify({ queues: [{ name: 'q' }], agents: [{ id: 'a', queues: ['q'] }], arrivals: [{ queue: 'q', per_hour: -1 }] }));
    const err = await cli(['--scenario', bad, '--check']).catch((e: { stdout: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stdout: string }).stdout).toContain('arrivals.0.per_hour: must be calls per hour');
  });

  it('logs on stderr when the events go to stdout', async () => {
    const { stdout, stderr } = await cli(['--scenario', 'acd/scenarios/mmc-example.json', '--duration', '10m', '--start', '2025-05-06T10:00:00Z', '--out', '-']);
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as CallboardEvent);
    expect(events.every((e) => typeof e.type === 'string' && typeof e.id === 'string')).toBe(true);
    expect(stderr.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['starting', 'finished']);
  });

  it('runs in real time until stopped, then closes the center cleanly', async () => {
    const out = join(dir, 'live.ndjson');
    const child = spawn(process.execPath, ['--import', 'tsx', 'acd/cli.ts', '--scenario', 'acd/scenarios/mmc-example.json', '--speed', 'realtime', '--duration', 'forever', '--out', out], { cwd: root });
    let stdout = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Stop it once it runs in step with the clock: the agents have signed in by then.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"msg":"caught up with the wall clock"')) resolve();
      });
      void exited.then(() => reject(new Error(`the CLI exited before it ran:\n${stdout}`)));
    });
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"stopping"');
    const events = readEvents(out);
    const signIns = events.filter((e) => e.type === 'agent.state' && e.state === 'available' && e.queues);
    const signOuts = events.filter((e) => e.type === 'agent.state' && e.state === 'logged_out');
    expect(signIns).toHaveLength(20);
    expect(signOuts).toHaveLength(20);
    // Stamped with (simulated = wall-clock) time.
    expect(Math.abs(Number(events[0]?.ts) - Date.now())).toBeLessThan(30_000);
  });
});
