// W3C `traceparent` for an HBONE CONNECT when the caller has none: a fresh trace id
// and span id, not sampled.
import { randomBytes } from 'node:crypto';

const TRACEPARENT_RE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function newTraceparent(): string {
  const bytes = randomBytes(24);
  return `00-${bytes.subarray(0, 16).toString('hex')}-${bytes.subarray(16).toString('hex')}-00`;
}

/** Well-formed (version-00 shape) traceparent header value. */
export function isTraceparent(value: string): boolean {
  return TRACEPARENT_RE.test(value);
}
