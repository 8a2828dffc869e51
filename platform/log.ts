/**
 * Structured logs (pino): one JSON object per line, all levels on stdout, e.g.
 *   {"level":"info","time":"2026-11-24T09:00:00.000Z","component":"server","port":8080,"msg":"listening"}
 * `level` is the label, `time` ISO-8601 UTC; an Error in a field (any key, typically `err` or
 * `error`) is written as {type, message, stack, …}.
 *
 * One stream: every level goes to stdout, so lines keep their order and a collector (journald,
 * Docker, Kubernetes) reads one stream and routes by the `level` field. The simulator child's lines
 * are relayed to the same stream (server/simulator.ts).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** A Logger that can also make children carrying more fixed fields (bindings). */
export interface AppLogger extends Logger {
  /** A logger whose lines carry these fields too; a binding named like an existing one replaces it. */
  child(bindings: Record<string, unknown>): AppLogger;
  /** the pino logger behind it (its bindings included) */
  readonly pino: PinoLogger;
}

export interface LoggerOptions {
  /** lowest level written; default `LOG_LEVEL` from the environment, else `info` */
  level?: LogLevel;
  /** where lines go; default stdout (synchronous, so nothing is lost on process.exit) */
  destination?: DestinationStream;
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

/** Keys pino writes itself: a field with one of these names would repeat the key in the line. */
const RESERVED = new Set(['level', 'time', 'msg']);

let stdoutDestination: DestinationStream | undefined;
function stdout(): DestinationStream {
  return (stdoutDestination ??= pino.destination({ dest: 1, sync: true }));
}

/**
 * A logger for one component. `LOG_LEVEL` is read here; an invalid value falls back to `info`
 * (the configuration check at start reports it).
 */
export function createLogger(component: string, opts: LogLevel | LoggerOptions = {}): AppLogger {
  const o: LoggerOptions = typeof opts === 'string' ? { level: opts } : opts;
  const env = process.env.LOG_LEVEL;
  const level = o.level ?? (isLogLevel(env) ? env : 'info');
  const root = pino(
    {
      level,
      base: null, // no pid/hostname: component (and proc for the simulator child) say where a line comes from
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are serialized in prepare() whatever their key; pino's own `err` serializer would
      // re-serialize them (and plain objects, such as a relayed child's err) as type "Object"
      serializers: { err: (v: unknown) => v },
    },
    o.destination ?? stdout(),
  );
  return wrap(root, { component });
}

function wrap(root: PinoLogger, bindings: Record<string, unknown>): AppLogger {
  const p = root.child(bindings);
  const log = ((level, msg, fields) => {
    if (!p.isLevelEnabled(level)) return;
    if (fields === undefined) p[level](msg);
    else p[level](prepare(fields, bindings), msg);
  }) as AppLogger;
  Object.defineProperty(log, 'pino', { value: p, enumerable: true });
  log.child = (more) => wrap(root, { ...bindings, ...more });
  return log;
}

/** Errors serialized with their stack; a field named like a binding or pino's own keys gets a `_field` suffix. */
function prepare(fields: Record<string, unknown>, bindings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (v === undefined) continue;
    const name = RESERVED.has(key) || key in bindings ? `${key}_field` : key;
    out[name] = v instanceof Error ? pino.stdSerializers.err(v) : v;
  }
  return out;
}

/**
 * A logger whose lines carry `bindings` as well: a pino child for loggers made by createLogger,
 * else the fields merged into each call (so it works for silentLogger and test spies too).
 */
export function childLogger(log: AppLogger, bindings: Record<string, unknown>): AppLogger;
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger;
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  if (isAppLogger(log)) return log.child(bindings);
  if (log === silentLogger) return silentLogger;
  return (level, msg, fields) => log(level, msg, { ...bindings, ...fields });
}

function isAppLogger(log: Logger): log is AppLogger {
  return typeof (log as Partial<AppLogger>).child === 'function';
}

export const silentLogger: Logger = () => undefined;
