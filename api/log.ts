// One pino logger factory for every process: JSON lines on stderr (stdout stays free
// for command output). Level from AMBIT_LOG_LEVEL (default info).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(component: string, level = process.env.AMBIT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything (tests, benches). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
