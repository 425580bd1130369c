// Which host-side interface leads to a pod: the node's IPv4 routing table, as the kernel
// prints it in /proc/net/route (of the reading process's network namespace). CNIs with
// routed pod links (ours, Calico, Cilium's legacy routing) install one /32 route per pod
// on its veth, so the longest matching prefix names the pod's link. Pure parsing and
// lookup; the read is at the edge (readRouteTable).
import { readFileSync } from 'node:fs';
import { parseIp } from '../rbac/ip-address.js';

export interface Route {
  iface: string;
  /** Network and mask as unsigned 32-bit numbers (host order). */
  network: number;
  mask: number;
  prefixLength: number;
}

const RTF_UP = 0x1;

/** 10.244.1.2 → 0x0af40102 (host order); undefined if not dotted-quad IPv4. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parsed = parseIp(ip);
  return parsed?.family === 4 ? parsed.words[0] : undefined;
}

/** /proc/net/route prints addresses as 8 hex digits in the kernel's (little-endian) byte order. */
function procHexToNumber(hex: string): number | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  const le = parseInt(hex, 16);
  return (((le & 0xff) << 24) | ((le >>> 8 & 0xff) << 16) | ((le >>> 16 & 0xff) << 8) | (le >>> 24 & 0xff)) >>> 0;
}

function prefixLengthOf(mask: number): number {
  let n = 0;
  for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) n++;
  return n;
}

/** Parses /proc/net/route text (header line first); malformed lines and routes that are not up are skipped. */
export function parseRouteTable(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flagsHex, , , , maskHex] = f as [string, string, string, string, string, string, string, string];
    const network = procHexToNumber(dest);
    const mask = procHexToNumber(maskHex);
    const flags = parseInt(flagsHex, 16);
    if (network === undefined || mask === undefined || Number.isNaN(flags) || !(flags & RTF_UP)) continue;
    routes.push({ iface, network, mask, prefixLength: prefixLengthOf(mask) });
  }
  return routes;
}

/** The interface of the longest prefix route containing `ip` (the default route counts), or undefined. */
export function interfaceFor(ip: string, routes: readonly Route[]): string | undefined {
  const addr = ipv4ToNumber(ip);
  if (addr === undefined) return undefined;
  let best: Route | undefined;
  for (const r of routes) {
    if (((addr & r.mask) >>> 0) !== r.network) continue;
    if (!best || r.prefixLength > best.prefixLength) best = r;
  }
  return best?.iface;
}

/** The routing table of this process's network namespace. */
export function readRouteTable(file = '/proc/self/net/route'): Route[] {
  return parseRouteTable(readFileSync(file, 'utf8'));
}
