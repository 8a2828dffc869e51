/**
 * The Python example (client/examples/python/send_events.py, standard library only) against the
 * real server: it stores its call, a second run stores nothing new (duplicates), it waits out
 * writer_busy and resends the same batch, and it stops on a permanent error.
 */
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFlow } from './helpers/events.ts';
import { ServerFleet, TEST_INGEST_KEY, type ServerProcess } from './helpers/server-process.ts';

const SCRIPT = 'client/examples/python/send_events.py';
const START = '2026-11-30T09:00:00Z';
const CALL = `example-call-${Date.parse(START)}`;
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn(`python-example.test.ts: skipped, python3 is not on PATH (needed to run ${SCRIPT})`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(server: ServerProcess, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile('python3', [SCRIPT, '--url', server.url, '--key', TEST_INGEST_KEY, '--start', START, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!hasPython)(hasPython ? 'Python example (python3, standard library only)' : 'Python example: SKIPPED, python3 is not on PATH', () => {
  const fleet = new ServerFleet();
  const startServer = (name: string, env: Record<string, string> = {}) => fleet.start(name, env);
  let server: ServerProcess;
  let admin: string;
  beforeAll(async () => {
    server = await startServer('python-example');
    admin = await server.login();
  });
  afterAll(() => fleet.end('stop'));

  it('stores its call and the agent states; run again, it stores nothing new and counts duplicates', async () => {
    const first = await runExample(server);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('sent 14 events: accepted 14, duplicates 0, conflicts 0, rejected 0');

    const stored = (await server.exportEvents(admin)).filter((e) => (e.id as string).startsWith(CALL));
    expect(stored).toHaveLength(14);
    expect(stored.filter((e) => e.call === CALL).map((e) => e.type)).toEqual([
      'call.offered', 'call.ivr', 'call.queued', 'call.ringing', 'call.answered', 'call.hold', 'call.unhold', 'call.ended', 'call.wrapup',
    ]);
    expect(stored.filter((e) => e.type === 'agent.state').map((e) => e.state)).toEqual(['available', 'ringing', 'on_call', 'acw', 'available']);
    expect(stored.every((e) => e.site === 'berlin')).toBe(true);

    const second = await runExample(server, ['--batch-size', '4']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('sent 14 events: accepted 0, duplicates 14, conflicts 0, rejected 0');
    expect((await server.exportEvents(admin)).filter((e) => (e.id as string).startsWith(CALL))).toHaveLength(14);
  });

  it('waits out writer_busy and resends the same batch; stops on a permanent error without resending', async () => {
    // 13 pending rows: while another sender's 10 rows wait for the 2.5 s flush, a batch of 7 is refused as busy.
    const busy = await startServer('python-example-busy', { MAX_PENDING_ROWS: '13', MAX_BATCH_EVENTS: '12', FLUSH_MS: '2500', FLUSH_MIN_ROWS: '100000' });
    const busyAdmin = await busy.login();
    const blocker = fetch(`${busy.url}/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(callFlow('blocker', Date.now() - 60_000)) });
    await busy.waitForMetric(busyAdmin, 'callboard_buffer_rows', (rows) => rows === 10);

    const run = await runExample(busy, ['--batch-size', '7', '--max-attempts', '200']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/writer_busy: .*; resending in \d+\.\d s \(attempt 1 of 200\)/);
    expect(run.stdout).toContain('sent 14 events: accepted 14, duplicates 0, conflicts 0, rejected 0');
    expect((await blocker).status).toBe(200);
    expect((await busy.exportEvents(busyAdmin)).filter((e) => (e.id as string).startsWith(CALL))).toHaveLength(14);

    const tooBig = await runExample(busy, ['--start', '2026-11-30T10:00:00Z', '--batch-size', '14']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/batch of 14 events refused, not resending: batch_too_large: .*\(limit 12\)/);
    expect(tooBig.stdout).not.toContain('resending in');
    const laterCall = `example-call-${Date.parse('2026-11-30T10:00:00Z')}`;
    expect((await busy.exportEvents(busyAdmin)).filter((e) => (e.id as string).startsWith(laterCall))).toEqual([]);
  });
});
