// The node-level routing the redirect program needs (in the node's network namespace):
// packets it marks carry a proxy socket and must be delivered locally, so a policy rule
// sends marked packets to a table whose only route is "local 0.0.0.0/0 dev lo". The
// daemon owns both while it runs: added at start when missing, removed at stop.
import { readFileSync } from 'node:fs';
import { ipRunner, type IpRunner } from '../../api/ip-command.js';
import type { Logger } from '../../api/log.js';

export const ROUTING_TABLE = 100;

const nodeIpRunner = (): IpRunner => ipRunner('AMBIT_ERR_NODE_ROUTING', { timeoutMs: 5_000 });

/** `ip rule show` output has our rule ("fwmark 0x1/0x1 lookup 100"). */
export function hasMarkRule(ruleShow: string, mark: number, table = ROUTING_TABLE): boolean {
  const want = `fwmark 0x${mark.toString(16)}/0x${mark.toString(16)} lookup ${table}`;
  return ruleShow.split('\n').some((l) => l.includes(want));
}

/** `ip route show table 100` output has "local default dev lo". */
export function hasLocalRoute(routeShow: string): boolean {
  return routeShow.split('\n').some((l) => /^local (default|0\.0\.0\.0\/0) dev lo\b/.test(l.trim()));
}

export interface NodeRouting {
  remove(): Promise<void>;
}

export async function ensureNodeRouting(mark: number, log: Logger, ip: IpRunner = nodeIpRunner()): Promise<NodeRouting> {
  const markArg = `0x${mark.toString(16)}/0x${mark.toString(16)}`;
  if (!hasMarkRule(await ip(['-4', 'rule', 'show']), mark)) {
    await ip(['-4', 'rule', 'add', 'fwmark', markArg, 'lookup', String(ROUTING_TABLE)]);
  }
  // A table that does not exist yet is an error for `ip route show`: same as empty.
  const table = await ip(['-4', 'route', 'show', 'table', String(ROUTING_TABLE)]).catch(() => '');
  if (!hasLocalRoute(table)) {
    await ip(['-4', 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(ROUTING_TABLE)]);
  }
  checkSysctls(log);
  return {
    remove: async () => {
      await ip(['-4', 'rule', 'del', 'fwmark', markArg, 'lookup', String(ROUTING_TABLE)]).catch(() => undefined);
      await ip(['-4', 'route', 'del', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(ROUTING_TABLE)]).catch(() => undefined);
    },
  };
}

/** Whether every port of first..last is in a ip_local_reserved_ports list ("15000-15021,30000"). */
export function portsReserved(list: string, first: number, last: number): boolean {
  const ranges = list.trim().split(',').filter(Boolean).map((r) => r.split('-').map(Number) as [number, number?]);
  for (let p = first; p <= last; p++) {
    if (!ranges.some(([a, b]) => p >= a && p <= (b ?? a))) return false;
  }
  return true;
}

function readSysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Warns about node settings capture depends on (it does not change them). */
function checkSysctls(log: Logger): void {
  const reserved = readSysctl('net.ipv4.ip_local_reserved_ports');
  if (reserved !== undefined && !portsReserved(reserved, 15001, 15021)) {
    log.warn({ reserved: reserved.trim() }, 'ports 15001-15021 are not in net.ipv4.ip_local_reserved_ports: an outgoing connection may pick a proxy port as its source port');
  }
  if (readSysctl('net.ipv4.tcp_rfc1337')?.trim() === '1') {
    log.warn('net.ipv4.tcp_rfc1337=1: a new connection reusing a tuple in TIME_WAIT will stall instead of being retried at once');
  }
}

/** The interface holding `ip` in `ip -o -4 addr show` output ("2: eth0    inet 172.18.0.1/24 …"). */
export function interfaceWithAddress(addrShow: string, ip: string): string | undefined {
  for (const line of addrShow.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//.exec(line.trim());
    if (m && m[2] === ip) return m[1];
  }
  return undefined;
}

/** The node's uplink: the interface that holds the node IP. */
export async function findUplink(nodeIp: string, ip: IpRunner = nodeIpRunner()): Promise<string | undefined> {
  return interfaceWithAddress(await ip(['-o', '-4', 'addr', 'show']), nodeIp);
}
