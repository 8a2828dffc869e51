import { afterEach, describe, expect, it, vi } from 'vitest';
import { childLogger, createLogger, isLogLevel, silentLogger, type Logger, type LogLevel } from './log.ts';

/** a logger writing into an array of parsed lines (and the raw text, to check for repeated keys) */
function capture(level?: LogLevel) {
  const raw: string[] = [];
  const log = createLogger('test', { ...(level ? { level } : {}), destination: { write: (s: string) => void raw.push(s) } });
  const lines = () => raw.map((s) => JSON.parse(s) as Record<string, unknown>);
  return { log, raw, lines };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createLogger', () => {
  it('writes one JSON line per entry: level label, ISO time, component, msg and the fields', () => {
    const { log, raw, lines } = capture();
    log('info', 'listening', { port: 8080, url: 'http://localhost:8080/', skipped: undefined });
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith('}\n')).toBe(true);
    expect(raw[0]!.trimEnd()).not.toContain('\n');
    const [line] = lines();
    expect(line).toEqual({ level: 'info', time: expect.any(String), component: 'test', msg: 'listening', port: 8080, url: 'http://localhost:8080/' });
    expect(line!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(line!.time as string) - Date.now())).toBeLessThan(5000);
  });

  it('writes an Error field with its type, message and stack, whatever its key', () => {
    const { log, lines } = capture();
    const boom = new TypeError('boom');
    log('error', 'insert failed', { err: boom });
    log('error', 'flush failed', { error: new Error('store down', { cause: boom }), rows: 3 });
    log('warn', 'odd', { reason: new RangeError('out of range') });
    log('error', 'string errors stay strings', { error: 'plain text' });
    const [a, b, c, d] = lines();
    expect(a!.err).toMatchObject({ type: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom\n    at ') });
    expect((a!.err as { stack: string }).stack).toContain('log.test.ts');
    expect(b!.error).toMatchObject({ type: 'Error', message: expect.stringContaining('store down'), stack: expect.stringContaining('Error: store down') });
    expect(b!.rows).toBe(3);
    expect(c!.reason).toMatchObject({ type: 'RangeError', stack: expect.stringContaining('RangeError: out of range') });
    expect(d!.error).toBe('plain text');
  });

  it('drops entries below the level', () => {
    const { log, lines } = capture('warn');
    log('debug', 'a');
    log('info', 'b');
    log('warn', 'c');
    log('error', 'd');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'c'],
      ['error', 'd'],
    ]);
  });

  it('takes the level from LOG_LEVEL, and info when it is unset or invalid', () => {
    const levels = (env: string | undefined) => {
      if (env === undefined) vi.stubEnv('LOG_LEVEL', undefined);
      else vi.stubEnv('LOG_LEVEL', env);
      const raw: string[] = [];
      const log = createLogger('env', { destination: { write: (s: string) => void raw.push(s) } });
      for (const l of ['debug', 'info', 'warn', 'error'] as const) log(l, l);
      return raw.map((s) => (JSON.parse(s) as { level: string }).level);
    };
    expect(levels('debug')).toEqual(['debug', 'info', 'warn', 'error']);
    expect(levels('error')).toEqual(['error']);
    expect(levels(undefined)).toEqual(['info', 'warn', 'error']);
    expect(levels('verbose')).toEqual(['info', 'warn', 'error']);
    expect(isLogLevel('warn')).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
  });

  it('makes children with more bindings; a binding replaces the parent one, a clashing field is renamed', () => {
    const { log, raw, lines } = capture();
    const acd = childLogger(log, { component: 'acd', proc: 'acd' });
    acd('info', 'starting', { scenario: 'demo' });
    log.child({ conn: 7 })('warn', 'slow', { component: 'other', msg: 'inner', level: 3 });
    const [a, b] = lines();
    expect(a).toEqual({ level: 'info', time: expect.any(String), component: 'acd', proc: 'acd', msg: 'starting', scenario: 'demo' });
    expect(b).toEqual({
      level: 'warn',
      time: expect.any(String),
      component: 'test',
      conn: 7,
      msg: 'slow',
      component_field: 'other',
      msg_field: 'inner',
      level_field: 3,
    });
    for (const line of raw) for (const key of ['"component":', '"msg":', '"level":']) expect(line.split(key)).toHaveLength(2);
  });

  it('childLogger also works on plain Logger functions', () => {
    const seen: unknown[] = [];
    const spy: Logger = (level, msg, fields) => void seen.push([level, msg, fields]);
    childLogger(spy, { proc: 'acd' })('error', 'x', { a: 1 });
    expect(seen).toEqual([['error', 'x', { proc: 'acd', a: 1 }]]);
    expect(childLogger(silentLogger, { proc: 'acd' })).toBe(silentLogger);
  });
});
