// Network value formats: port numbers (as numbers or numeric strings), IP addresses and
// CIDR ranges. Each check returns an error message, or undefined when the value is valid.
import { isIP } from 'node:net';

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** A port given as a decimal string (AuthorizationPolicy ports, map keys). */
export function portString(s: string, min = 1): string | undefined {
  if (!/^\d+$/.test(s)) return `bad port "${s}": must be a decimal number`;
  const n = Number(s);
  if (n < min || n > 65535) return `bad port "${s}": must be in range ${min}..65535`;
  return undefined;
}

/** A single IP address (v4 or v6, no zone). */
export function ipAddress(s: string): string | undefined {
  if (s.includes('%') || isIP(s) === 0) return `bad IP address "${s}"`;
  return undefined;
}

/** An IP address or a CIDR range `addr/bits`. */
export function ipOrCidr(s: string): string | undefined {
  if (!s.includes('/')) return ipAddress(s);
  return cidr(s);
}

export function cidr(s: string): string | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return `bad CIDR range "${s}": missing "/bits"`;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const family = addr.includes('%') ? 0 : isIP(addr);
  if (family === 0) return `bad CIDR range "${s}": bad IP address "${addr}"`;
  if (!/^(0|[1-9]\d*)$/.test(bits)) return `bad CIDR range "${s}": bad prefix length "${bits}"`;
  const max = family === 4 ? 32 : 128;
  if (Number(bits) > max) return `bad CIDR range "${s}": prefix length ${bits} exceeds ${max}`;
  return undefined;
}
