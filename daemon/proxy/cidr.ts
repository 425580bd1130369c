// IP/CIDR containment for text addresses ("10.0.0.0/8", "10.1.2.3", "fd00::/8").
import { BlockList, isIP } from 'node:net';

const cache = new Map<string, BlockList>();

function blockListOf(cidr: string): BlockList | undefined {
  let list = cache.get(cidr);
  if (list) return list;
  const [addr = '', len] = cidr.split('/');
  const family = isIP(addr);
  if (family === 0) return undefined;
  list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (len === undefined) list.addAddress(addr, type);
  else list.addSubnet(addr, Number(len), type);
  if (cache.size > 10_000) cache.clear();
  cache.set(cidr, list);
  return list;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return blockListOf(cidr)?.check(ip, family === 4 ? 'ipv4' : 'ipv6') ?? false;
}
