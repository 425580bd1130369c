// W3C `traceparent` for an HBONE CONNECT when the caller has none: a fresh trace id
// and span id, not sampled. The random bytes come from a pool refilled 4 KiB at a time
// (one CSPRNG call per 170 connections instead of one per connection).
import { randomFillSync } from 'node:crypto';

const TRACEPARENT_RE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const IDS_BYTES = 24;
const pool = Buffer.alloc(IDS_BYTES * 170);
let offset = pool.length;

export function newTraceparent(): string {
  if (offset + IDS_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += IDS_BYTES;
  return `00-${pool.toString('hex', start, start + 16)}-${pool.toString('hex', start + 16, start + IDS_BYTES)}-00`;
}

/** Well-formed (version-00 shape) traceparent header value. */
export function isTraceparent(value: string): boolean {
  return TRACEPARENT_RE.test(value);
}
