export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured logs: one JSON object per line, with the fields every line shares. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(minLevel: LogLevel, base: Record<string, unknown> = {}): Logger {
  return {
    log(level, event, fields) {
      if (ORDER[level] < ORDER[minLevel]) return;
      const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...base, ...fields });
      if (level === 'error') console.error(line);
      else if (level === 'warn') console.warn(line);
      else console.log(line);
    },
    child(fields) {
      return createLogger(minLevel, { ...base, ...fields });
    },
  };
}

export function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, errorName: error.name, stack: error.stack } : { error: String(error) };
}
