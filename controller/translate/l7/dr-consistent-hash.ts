// DestinationRule `loadBalancer.consistentHash` → L7 (reference rule 85), as istiod turns
// it into a route hash policy and a RING_HASH or MAGLEV cluster.
//
// - The key: `httpHeaderName` (lowercased), `httpCookie` (a cookie with a ttl is
//   generated when the request has none), `useSourceIp: true` or
//   `httpQueryParameterName`. Exactly one must be usable; otherwise the whole
//   consistentHash is dropped with a warning and the default load balancer applies.
// - The algorithm: `maglev.tableSize` (a prime below 5000011; default 65537), else
//   `ringHash.minimumRingSize` or the deprecated top-level `minimumRingSize`, else
//   Envoy's ring hash with 1024 entries. Values validation rejects fall back to these
//   defaults with a warning, so the waypoint never gets a table it cannot build.
import type { L7ConsistentHash } from '../../../api/l7-model.js';
import { isPrime } from '../../validation/traffic-policy.js';
import type { Rec } from './common.js';
import { durationMs, int, rec, str, text } from './common.js';
import type { Warn } from './vs-actions.js';

const HASH_KEYS = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const;
/** Envoy's defaults: RingHashLbConfig.minimum_ring_size and the Maglev table size. */
const DEFAULT_RING_SIZE = 1024;
const DEFAULT_MAGLEV_TABLE = 65537;
/** Envoy rejects a minimum ring size above its maximum ring size (default 8M). */
const MAX_RING_SIZE = 8_388_608;
const MAGLEV_MAX = 5000011;

const present = (v: unknown): boolean => v !== undefined && v !== null;

function cookieKey(v: unknown, path: string, warn: Warn): L7ConsistentHash['key'] | undefined {
  const c = rec(v);
  const name = text(c?.name);
  if (!c || name === undefined) {
    warn(`${path}.name`, 'a cookie needs a name: consistentHash ignored');
    return undefined;
  }
  const cookie: { name: string; path?: string; ttlMs?: number } = { name };
  const cookiePath = text(c.path);
  if (cookiePath !== undefined) cookie.path = cookiePath;
  if (present(c.ttl)) {
    const s = str(c.ttl);
    const ttl = s === undefined ? undefined : durationMs(s);
    if (ttl === undefined) warn(`${path}.ttl`, 'not a valid duration: no cookie is generated');
    else if (ttl === 0) warn(`${path}.ttl`, '0s (a generated session cookie) is not supported by the waypoint: no cookie is generated');
    else cookie.ttlMs = ttl;
  }
  if (Array.isArray(c.attributes) && c.attributes.length > 0) warn(`${path}.attributes`, 'not supported by the waypoint: ignored');
  return { cookie };
}

/** The one hash key, or undefined (with a warning) when there is none or it cannot be used. */
function hashKey(ch: Rec, path: string, warn: Warn): L7ConsistentHash['key'] | undefined {
  const set = HASH_KEYS.filter((k) => present(ch[k]));
  if (set.length === 0) {
    warn(path, `no hash key (one of ${HASH_KEYS.join(', ')}): consistentHash ignored`);
    return undefined;
  }
  if (set.length > 1) {
    warn(path, `only one hash key may be set, found ${set.join(', ')}: consistentHash ignored`);
    return undefined;
  }
  const k = set[0];
  const at = `${path}.${k}`;
  switch (k) {
    case 'httpHeaderName': {
      const header = text(ch.httpHeaderName);
      if (header !== undefined) return { header: header.toLowerCase() };
      break;
    }
    case 'httpQueryParameterName': {
      const queryParameter = text(ch.httpQueryParameterName);
      if (queryParameter !== undefined) return { queryParameter };
      break;
    }
    case 'useSourceIp':
      if (ch.useSourceIp === true) return { sourceIp: true };
      warn(at, 'only true hashes the source IP: consistentHash ignored');
      return undefined;
    case 'httpCookie':
      return cookieKey(ch.httpCookie, at, warn);
  }
  warn(at, 'must be a non-empty string: consistentHash ignored');
  return undefined;
}

function ringHash(v: unknown, path: string, warn: Warn): L7ConsistentHash['algorithm'] {
  const n = int(v);
  if (!present(v) || n === 0) return { ringHash: { minimumRingSize: DEFAULT_RING_SIZE } };
  if (n === undefined || n < 0) {
    warn(path, `not a non-negative integer: Envoy's default (${DEFAULT_RING_SIZE}) applies`);
    return { ringHash: { minimumRingSize: DEFAULT_RING_SIZE } };
  }
  if (n > MAX_RING_SIZE) {
    warn(path, `above Envoy's maximum ring size: ${MAX_RING_SIZE} applies`);
    return { ringHash: { minimumRingSize: MAX_RING_SIZE } };
  }
  return { ringHash: { minimumRingSize: n } };
}

function maglev(v: unknown, path: string, warn: Warn): L7ConsistentHash['algorithm'] {
  const n = int(v);
  if (!present(v) || n === 0) return { maglev: { tableSize: DEFAULT_MAGLEV_TABLE } };
  if (n === undefined || n < 0 || n >= MAGLEV_MAX || !isPrime(n)) {
    warn(path, `must be a prime below ${MAGLEV_MAX}: the default (${DEFAULT_MAGLEV_TABLE}) applies`);
    return { maglev: { tableSize: DEFAULT_MAGLEV_TABLE } };
  }
  return { maglev: { tableSize: n } };
}

/** The hash algorithm: maglev, ringHash, the deprecated minimumRingSize, else the default ring. */
function algorithm(ch: Rec, path: string, warn: Warn): L7ConsistentHash['algorithm'] {
  const ring = rec(ch.ringHash);
  const mag = rec(ch.maglev);
  const legacy = present(ch.minimumRingSize) && ch.minimumRingSize !== 0;
  if ((ring || mag) && legacy) warn(`${path}.minimumRingSize`, 'only one of minimumRingSize or maglev/ringHash may be set: ignored');
  if (ring && mag) {
    warn(`${path}.maglev`, 'only one of ringHash or maglev may be set: ignored');
    return ringHash(ring.minimumRingSize, `${path}.ringHash.minimumRingSize`, warn);
  }
  if (mag) return maglev(mag.tableSize, `${path}.maglev.tableSize`, warn);
  if (ring) return ringHash(ring.minimumRingSize, `${path}.ringHash.minimumRingSize`, warn);
  return ringHash(legacy ? ch.minimumRingSize : undefined, `${path}.minimumRingSize`, warn);
}

/** `loadBalancer.consistentHash` (rule 85); undefined when unset or without a usable key. */
export function consistentHash(v: unknown, path: string, warn: Warn): L7ConsistentHash | undefined {
  const ch = rec(v);
  if (!ch) return undefined;
  const key = hashKey(ch, path, warn);
  if (!key) return undefined;
  return { key, algorithm: algorithm(ch, path, warn) };
}
