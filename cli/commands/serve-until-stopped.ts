// The end of a long-running proxy command (daemon, waypoint): wait for SIGTERM, SIGINT
// or /quitquitquit, then stop within a bound (a stop that hangs exits with status 1).
import type { Logger } from '../../api/log.js';

export const STOP_TIMEOUT_MS = 15_000;

export interface Stoppable {
  stop(): Promise<void>;
}

/** A promise resolved by /quitquitquit, and the callback to pass as `onQuit`. */
export function quitSignal(): { quitting: Promise<void>; onQuit: () => void } {
  let onQuit: () => void = () => undefined;
  const quitting = new Promise<void>((resolve) => { onQuit = resolve; });
  return { quitting, onQuit };
}

export async function serveUntilStopped(what: string, proxy: Stoppable, quitting: Promise<void>, log: Logger): Promise<void> {
  const signalled = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    void quitting.then(() => resolve('quitquitquit'));
  });
  log.info({ reason: signalled }, `${what} stopping`);
  const timer = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  await proxy.stop();
  clearTimeout(timer);
  log.info(`${what} stopped`);
}
