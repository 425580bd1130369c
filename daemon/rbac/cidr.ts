// A Cidr compiled to network + mask words. Host bits in the address are ignored (as
// ztunnel's ipnet does); a CIDR only contains addresses of its own family, so an IPv4
// CIDR never matches an IPv6 peer (connection addresses are un-mapped first, see
// parseConnectionIp, so ::ffff:10.1.2.3 is checked as 10.1.2.3).
import type { Cidr } from '../../api/model.js';
import type { ParsedIp } from './ip-address.js';
import { parseIp } from './ip-address.js';

type Words = readonly [number, number, number, number];

export interface CompiledCidr {
  readonly family: 4 | 6;
  readonly net: Words;
  readonly mask: Words;
  /** "<address>/<length>" as received, for messages. */
  readonly text: string;
}

/** Mask of the `bits` leading bits of one 32-bit word (bits clamped to 0..32). */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** The mask words of a /`length` prefix of `family`. */
export function cidrMask(family: 4 | 6, length: number): Words {
  return family === 4
    ? [wordMask(length), 0, 0, 0]
    : [wordMask(length), wordMask(length - 32), wordMask(length - 64), wordMask(length - 96)];
}

/** undefined when the address does not parse or the length exceeds the family's width. */
export function compileCidr(c: Cidr): CompiledCidr | undefined {
  const ip = parseIp(c.address);
  if (ip === undefined) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  if (!Number.isInteger(c.length) || c.length < 0 || c.length > width) return undefined;
  const mask = cidrMask(ip.family, c.length);
  const w = ip.words;
  const net: Words = [(w[0] & mask[0]) >>> 0, (w[1] & mask[1]) >>> 0, (w[2] & mask[2]) >>> 0, (w[3] & mask[3]) >>> 0];
  return { family: ip.family, net, mask, text: `${c.address}/${c.length}` };
}

export function cidrContains(c: CompiledCidr, ip: ParsedIp): boolean {
  if (c.family !== ip.family) return false;
  const w = ip.words;
  const m = c.mask;
  const n = c.net;
  if (((w[0] & m[0]) >>> 0) !== n[0]) return false;
  if (c.family === 4) return true;
  return ((w[1] & m[1]) >>> 0) === n[1] && ((w[2] & m[2]) >>> 0) === n[2] && ((w[3] & m[3]) >>> 0) === n[3];
}
