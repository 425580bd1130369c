// Running iproute2's `ip` (execFile, never a shell). Everything the local runtime does
// to the network goes through one IpRunner, so unit tests substitute a fake.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AmbitError } from '../../api/errors.js';

/** Runs `ip <args>` and resolves with its stdout; rejects with an AMBIT_ERR_LOCAL_RUNTIME carrying stderr. */
export type IpRunner = (args: readonly string[]) => Promise<string>;

/** The PATH given to everything the runtime starts (never the caller's: no pyenv shims or user bins in pods). */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** Absolute path of the `ip` binary. */
export function ipPath(): string {
  return IP_CANDIDATES.find((p) => existsSync(p)) ?? 'ip';
}

export function systemIpRunner(opts: { timeoutMs?: number; binary?: string } = {}): IpRunner {
  const binary = opts.binary ?? ipPath();
  const timeout = opts.timeoutMs ?? 30_000;
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(binary, [...args], { timeout, env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const detail = String(stderr).trim() || err.message;
          reject(new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `ip ${args.join(' ')}: ${detail}`, { cause: err }));
        } else {
          resolve(String(stdout));
        }
      });
    });
}

/** Names of the network namespaces that exist (`ip netns list`). */
export async function listNetns(ip: IpRunner): Promise<Set<string>> {
  const out = await ip(['netns', 'list']);
  return new Set(
    out
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((name) => name !== ''),
  );
}

/** Whether link `name` exists inside netns `netns`. */
export async function linkExists(ip: IpRunner, netns: string, name: string): Promise<boolean> {
  try {
    await ip(['-n', netns, 'link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** The pids of processes inside netns `netns` (`ip netns pids`); none when the netns is gone. */
export async function netnsPids(ip: IpRunner, netns: string): Promise<number[]> {
  try {
    const out = await ip(['netns', 'pids', netns]);
    return out.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  } catch {
    return [];
  }
}
