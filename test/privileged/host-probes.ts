// What the privileged tests check on the host after tearing a cluster down: the host's
// own network configuration, and processes left inside namespaces that should be gone.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { ip, run } from './local-mesh-support.js';

export interface HostSnapshot { netns: Set<string>; links: Set<string>; routes: string; rules: string; ruleset: string }

/** Namespaces, links, routes, rules and firewall rules of the host's network namespace. */
export async function hostSnapshot(): Promise<HostSnapshot> {
  const names = (out: string): Set<string> => new Set(out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean));
  const links = (await ip(['-o', 'link', 'show'])).stdout.split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((x): x is string => !!x);
  return {
    netns: names((await ip(['netns', 'list'])).stdout),
    links: new Set(links),
    routes: (await ip(['route', 'show', 'table', 'all'])).stdout + (await ip(['-6', 'route', 'show', 'table', 'all'])).stdout,
    rules: (await ip(['rule', 'show'])).stdout + (await ip(['-6', 'rule', 'show'])).stdout,
    ruleset: `${(await run('iptables-save', [])).stdout.replace(/^#.*$/gm, '')}\n${(await run('nft', ['list', 'ruleset'])).stdout}`,
  };
}

/** Inodes of named network namespaces, to find any process still inside one after they are deleted. */
export function netnsInodes(names: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const n of names) {
    try {
      out.set(statSync(`/run/netns/${n}`).ino, n);
    } catch {
      // not there
    }
  }
  return out;
}

/** Processes whose network namespace is one of `inodes` ("<pid> in <netns>"). */
export function processesIn(inodes: Map<number, string>): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (m && inodes.has(Number(m[1]))) found.push(`${pid} in ${inodes.get(Number(m[1]))}`);
    } catch {
      // exited or not ours to read
    }
  }
  return found;
}
