// Running iproute2's `ip` (execFile, never a shell), for every process that changes
// network configuration: the node daemon (policy routing for captured packets) and the
// local runtime (namespaces, links, routes). Callers name the error code their failures
// carry; unit tests substitute a fake IpRunner.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AmbitError, type ErrorCode } from './errors.js';

/** Runs `ip <args>` and resolves with its stdout; rejects with an AmbitError carrying stderr. */
export type IpRunner = (args: readonly string[]) => Promise<string>;

/** The PATH given to everything Ambit starts (never the caller's: no pyenv shims or user bins). */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** Absolute path of the `ip` binary. */
export function ipPath(): string {
  return IP_CANDIDATES.find((p) => existsSync(p)) ?? 'ip';
}

export function ipRunner(errorCode: ErrorCode, opts: { timeoutMs?: number; binary?: string } = {}): IpRunner {
  const binary = opts.binary ?? ipPath();
  const timeout = opts.timeoutMs ?? 30_000;
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(binary, [...args], { timeout, env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const detail = String(stderr).trim() || err.message;
          reject(new AmbitError(errorCode, `ip ${args.join(' ')}: ${detail}`, { cause: err }));
        } else {
          resolve(String(stdout));
        }
      });
    });
}
