/** Structured JSON logs, one object per line on stdout (stderr for errors). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(component: string, minLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel) ?? 'info'): Logger {
  const min = ORDER[minLevel] ?? ORDER.info;
  return (level, msg, fields) => {
    if (ORDER[level] < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...fields });
    (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  };
}

export const silentLogger: Logger = () => undefined;
