/**
 * Logs of the ACD process (pino): one JSON object per line, e.g.
 *   {"level":"info","time":"2026-11-24T09:00:00.000Z","component":"acd","run":"…","msg":"starting"}
 * `level` is the label and `time` ISO-8601 UTC, as in the server's logs; an error goes in
 * the `err` field with its type, message and stack. Lines go to stdout, where the server
 * that runs the simulator as its child reads and re-tags them (server/simulator.ts); a run
 * whose events go to stdout (`--out -`) logs on stderr instead.
 */
import { pino, type Logger } from 'pino';

export type AcdLogger = Logger;
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The process's logger on file descriptor `fd`; the level is `LOG_LEVEL` (default info). */
export function createAcdLogger(fd: 1 | 2 = 1, level = process.env.LOG_LEVEL): AcdLogger {
  return pino(
    {
      level: level !== undefined && LEVELS.includes(level) ? level : 'info',
      base: { component: 'acd' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    // synchronous: nothing is lost when the process exits right after a line
    pino.destination({ dest: fd, sync: true }),
  );
}

/**
 * A `(entry) => void` sink for the parts that log structured records (run loop, ingest
 * client): `msg` becomes the message, `level` (debug|info|warn|error, default info) the level,
 * every other key a field.
 */
export function recordLogger(logger: AcdLogger): (entry: object) => void {
  return (entry) => {
    const { msg, level, ...fields } = entry as { msg?: unknown; level?: unknown };
    const at: Level = level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
    logger[at](fields, typeof msg === 'string' ? msg : '');
  };
}
