// One pino logger factory for every process: JSON lines on stderr (stdout stays free
// for command output). Level from AMBIT_LOG_LEVEL (default info).
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /**
   * Buffer up to this many bytes before writing (one write per batch instead of one per
   * line: the node daemon writes an access-log line per connection). Buffered lines are
   * written at least every `flushIntervalMs` and when the process exits.
   */
  bufferBytes?: number;
  flushIntervalMs?: number;
}

export function createLogger(component: string, level = process.env.AMBIT_LOG_LEVEL ?? 'info', opts: LoggerOptions = {}): Logger {
  const destination = pino.destination({ fd: 2, sync: false, minLength: opts.bufferBytes ?? 0 });
  if (opts.bufferBytes) {
    setInterval(() => {
      try {
        destination.flush(); // writes what is buffered (nothing when a write is in flight)
      } catch {
        // destroyed at exit: nothing left to write
      }
    }, opts.flushIntervalMs ?? 200).unref();
  }
  return pino({ level, base: { component } }, destination);
}

/** A logger that drops everything (tests, benches). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
