// Consistent-hash load balancing (rule 85): the key a request is hashed on (a header, a
// cookie, the client IP or a query parameter), and the two tables Envoy offers to map a
// hash to an endpoint. Pure. The same key maps to the same endpoint while the endpoint
// set is unchanged; when one of N endpoints goes, about 1/N of the keys move.
//  - Ring hash: each endpoint gets ⌈minimumRingSize / 8⌉ points (at least 16) on a 32-bit
//    ring; a key goes to the first point at or after its hash. Unlike Envoy (⌈min / N⌉)
//    the count does not depend on N, so when an endpoint goes only its own keys move.
//  - Maglev: a lookup table of `tableSize` (prime) slots filled from each endpoint's
//    permutation, as in Google's Maglev paper; a key goes to slot hash mod size.
// A cookie with a ttl that the request lacks is generated (a random value), the request
// is hashed on it, and the caller sets it on the response. Without a key (no such header,
// cookie, parameter) the caller picks at random, as Envoy does.
import type { L7ConsistentHash } from '../../api/l7-model.js';
import { parseQuery } from './request.js';

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer (spreads near-identical strings). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface HashInput {
  headers: ReadonlyMap<string, string>;
  sourceIp: string;
  /** The request target (path and query). */
  path: string;
}

export interface HashKey {
  key?: string;
  /** A Set-Cookie value to add to the response (a generated affinity cookie). */
  setCookie?: string;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function hashKey(ch: L7ConsistentHash, input: HashInput, random: () => number): HashKey {
  const k = ch.key;
  if ('header' in k) return { key: input.headers.get(k.header) };
  if ('sourceIp' in k) return { key: input.sourceIp };
  if ('queryParameter' in k) return { key: parseQuery(input.path).get(k.queryParameter) };
  const { name, path, ttlMs } = k.cookie;
  const existing = cookieValue(input.headers.get('cookie'), name);
  if (existing !== undefined || ttlMs === undefined) return { key: existing };
  const value = Array.from({ length: 4 }, () => Math.floor(random() * 0x100000000).toString(16).padStart(8, '0')).join('');
  return { key: value, setCookie: `${name}=${value}; Max-Age=${Math.max(1, Math.round(ttlMs / 1000))}; Path=${path ?? '/'}; HttpOnly` };
}

/** A table mapping hashes to endpoint positions (in the sorted ids it was built from). */
export interface HashTable {
  pick(hash: number): number;
}

export class RingHash implements HashTable {
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;

  constructor(ids: readonly string[], minimumRingSize: number) {
    const perHost = Math.max(16, Math.ceil(minimumRingSize / 8));
    const entries: [number, number][] = [];
    ids.forEach((id, i) => {
      for (let j = 0; j < perHost; j++) entries.push([hash32(`${id}_${j}`), i]);
    });
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(entries.map((e) => e[0]));
    this.owners = Uint32Array.from(entries.map((e) => e[1]));
  }

  pick(hash: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.points.length ? 0 : lo]!;
  }
}

export class MaglevTable implements HashTable {
  private readonly table: Int32Array;

  constructor(ids: readonly string[], tableSize: number) {
    const m = tableSize;
    const table = new Int32Array(m).fill(-1);
    const offset = ids.map((id) => hash32(`${id}#offset`) % m);
    const skip = ids.map((id) => (hash32(`${id}#skip`) % (m - 1)) + 1);
    const next = ids.map(() => 0);
    let filled = 0;
    while (filled < m && ids.length > 0) {
      for (let i = 0; i < ids.length && filled < m; i++) {
        let c = (offset[i]! + next[i]! * skip[i]!) % m;
        while (table[c]! >= 0) {
          next[i]!++;
          c = (offset[i]! + next[i]! * skip[i]!) % m;
        }
        table[c] = i;
        next[i]!++;
        filled++;
      }
    }
    this.table = table;
  }

  pick(hash: number): number {
    return Math.max(0, this.table[hash % this.table.length]!);
  }
}

export function buildHashTable(ch: L7ConsistentHash, ids: readonly string[]): HashTable {
  return 'maglev' in ch.algorithm ? new MaglevTable(ids, ch.algorithm.maglev.tableSize) : new RingHash(ids, ch.algorithm.ringHash.minimumRingSize);
}
