import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../platform/log.ts';
import { childLineRelay, scenarioSiteZones } from './simulator.ts';

function relayInto(level: LogLevel = 'debug') {
  const raw: string[] = [];
  const log = createLogger('server', { level, destination: { write: (s: string) => void raw.push(s) } });
  const relay = childLineRelay(log, { proc: 'acd', pid: 4242 });
  const lines = () => raw.map((s) => JSON.parse(s) as Record<string, unknown>);
  return { relay, raw, lines };
}

describe('childLineRelay', () => {
  it("re-logs the child's pino lines (numeric or label levels) with their level, msg and fields, tagged proc=acd", () => {
    const { relay, raw, lines } = relayInto();
    relay('{"level":40,"time":1795507204250,"pid":99,"hostname":"box","msg":"ingest nack; resending","batch":"b-7","retry_after":0.5}', 'stdout');
    relay(
      JSON.stringify({
        level: 'error',
        time: '2026-11-24T09:00:00.000Z',
        component: 'ingest-client',
        msg: 'connection failed',
        err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at connect (x.ts:1:1)' },
      }),
      'stdout',
    );
    relay('{"level":20,"msg":"tick"}', 'stdout');
    relay('{"level":60,"msg":"fatal"}', 'stdout');
    const [a, b, c, d] = lines();
    expect(a).toEqual({ level: 'warn', time: expect.any(String), component: 'acd', proc: 'acd', pid: 4242, msg: 'ingest nack; resending', batch: 'b-7', retry_after: 0.5 });
    expect(b).toEqual({
      level: 'error',
      time: expect.any(String),
      component: 'ingest-client',
      proc: 'acd',
      pid: 4242,
      msg: 'connection failed',
      err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at connect (x.ts:1:1)' },
    });
    expect([c!.level, d!.level]).toEqual(['debug', 'error']);
    expect(a!.time).not.toBe(1795507204250);
    for (const line of raw) for (const key of ['"component":', '"pid":', '"time":', '"level":', '"msg":']) expect(line.split(key)).toHaveLength(2);
  });

  it("re-logs the CLI's current {ts, level, component, msg} lines from stderr at their own level", () => {
    const { relay, lines } = relayInto();
    relay('{"ts":"2026-11-24T09:00:00.000Z","level":"info","component":"acd","msg":"starting","scenario":"demo-utility","backfill_days":14}', 'stderr');
    relay('{"ts":"2026-11-24T09:00:00.000Z","level":"info","component":"acd","source":"ingest-client","level":"warn","msg":"ingest sent an unknown reply"}', 'stderr');
    expect(lines()).toEqual([
      { level: 'info', time: expect.any(String), component: 'acd', proc: 'acd', pid: 4242, msg: 'starting', scenario: 'demo-utility', backfill_days: 14 },
      { level: 'warn', time: expect.any(String), component: 'acd', proc: 'acd', pid: 4242, source: 'ingest-client', msg: 'ingest sent an unknown reply' },
    ]);
  });

  it('logs a line that is not a JSON object as it is: info from stdout, error from stderr; skips blank lines', () => {
    const { relay, lines } = relayInto();
    relay('Debugger listening on ws://127.0.0.1:9229', 'stdout');
    relay('TypeError: Cannot read properties of undefined (reading "x")\r', 'stderr');
    relay('    at run (/app/server/acd/cli.ts:10:5)', 'stderr');
    relay('{"level":"info", truncated', 'stderr');
    relay('[1,2]', 'stdout');
    relay('   ', 'stdout');
    expect(lines().map((l) => [l.level, l.component, l.proc, l.msg])).toEqual([
      ['info', 'acd', 'acd', 'Debugger listening on ws://127.0.0.1:9229'],
      ['error', 'acd', 'acd', 'TypeError: Cannot read properties of undefined (reading "x")'],
      ['error', 'acd', 'acd', '    at run (/app/server/acd/cli.ts:10:5)'],
      ['error', 'acd', 'acd', '{"level":"info", truncated'],
      ['info', 'acd', 'acd', '[1,2]'],
    ]);
  });

  it("applies the server's level to the child's lines; unknown levels fall back by stream", () => {
    const { relay, lines } = relayInto('warn');
    relay('{"level":"debug","msg":"a"}', 'stdout');
    relay('{"level":30,"msg":"b"}', 'stdout');
    relay('{"level":"warn","msg":"c"}', 'stdout');
    relay('{"level":"loud","msg":"d"}', 'stderr');
    relay('{"msg":{"nested":true}}', 'stderr');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'c'],
      ['error', 'd'],
      ['error', '{"nested":true}'],
    ]);
  });
});

describe('scenarioSiteZones', () => {
  it("reads the demo scenario's sites and their zones", () => {
    const zones = scenarioSiteZones('acd/scenarios/demo-utility.json');
    expect(zones.length).toBeGreaterThanOrEqual(2);
    expect(zones).toContainEqual({ site: 'berlin', timeZone: 'Europe/Berlin' });
    for (const z of zones) expect(Intl.supportedValuesOf('timeZone').includes(z.timeZone) || z.timeZone === 'UTC').toBe(true);
  });
});
