// Istio string-match syntax → StringMatch: "*" presence, "*x" suffix, "x*" prefix, else exact.
import type { Cidr, ServiceAccountMatch, StringMatch } from '../../api/model.js';
import { isIP } from 'node:net';

export function toStringMatch(value: string): StringMatch {
  if (value === '*') return { presence: true, matchType: 'presence' };
  if (value.startsWith('*')) return { suffix: value.slice(1), matchType: 'suffix' };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1), matchType: 'prefix' };
  return { exact: value, matchType: 'exact' };
}

export function toStringMatches(values: readonly string[] | undefined): StringMatch[] {
  return (values ?? []).map(toStringMatch);
}

/** Numeric port strings → ports; anything else is dropped (validation rejects it first). */
export function toPorts(values: readonly string[] | undefined): number[] {
  const out: number[] = [];
  for (const v of values ?? []) {
    if (!/^\d+$/.test(v)) continue;
    const p = Number(v);
    if (p <= 65535) out.push(p);
  }
  return out;
}

/** "10.0.0.1" or "10.0.0.0/8" → Cidr; invalid entries are dropped (validation rejects them first). */
export function toCidrs(values: readonly string[] | undefined): Cidr[] {
  const out: Cidr[] = [];
  for (const v of values ?? []) {
    const parts = v.split('/');
    if (parts.length > 2) continue;
    const [addr = '', len] = parts;
    const family = isIP(addr);
    if (family === 0) continue;
    const max = family === 4 ? 32 : 128;
    if (len !== undefined && !/^\d+$/.test(len)) continue; // "", " 8", "0x8", "1e1" are not prefix lengths
    const length = len === undefined ? max : Number(len);
    if (length > max) continue;
    out.push({ address: addr, length });
  }
  return out;
}

/** "<ns>/<sa>" or "<sa>" (the policy's own namespace). */
export function toServiceAccountMatches(values: readonly string[] | undefined, policyNamespace: string): ServiceAccountMatch[] {
  return (values ?? []).map((v) => {
    const slash = v.indexOf('/');
    return slash < 0 ? { namespace: policyNamespace, serviceAccount: v } : { namespace: v.slice(0, slash), serviceAccount: v.slice(slash + 1) };
  });
}
