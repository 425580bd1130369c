// Retries (rules 74, 75): whether a failed try is tried again, and how long to wait
// first. Pure. The conditions are Envoy's (x-envoy-retry-on, x-envoy-retry-grpc-on):
//  - connect-failure: the upstream connection could not be opened;
//  - refused-stream: the upstream refused the HTTP/2 stream;
//  - reset: no response head (reset, disconnect, per-try timeout), connection failures included;
//  - 5xx: any 5xx response, or no response head at all (as reset);
//  - gateway-error: 502, 503 or 504, or no response head at all;
//  - retriable-4xx: 409;
//  - retriable-status-codes: the statuses listed with the policy;
//  - cancelled, deadline-exceeded, internal, resource-exhausted, unavailable: the gRPC
//    status of a gRPC response (1, 4, 13, 8, 14).
// Istio's default policy applies when a route has none: 2 retries on connection
// failures, refused streams and gRPC unavailable/cancelled, so a plain 503 response is
// not retried (ambiguity J). The backoff is Envoy's: a random wait in
// [0, (2^n − 1) × 25 ms] before retry n, capped at 250 ms.
import { DEFAULT_RETRY_POLICY, type L7RetryCondition, type L7RetryPolicy } from '../../api/l7-model.js';

export type TryOutcome =
  | { kind: 'connect-failure' }
  | { kind: 'refused-stream' }
  /** The upstream reset or closed the exchange before a response head. */
  | { kind: 'reset' }
  | { kind: 'per-try-timeout' }
  | { kind: 'response'; status: number; grpcStatus?: number };

export const RETRY_BACKOFF = Object.freeze({ baseMs: 25, maxMs: 250 });

const GRPC_CONDITIONS: Readonly<Partial<Record<L7RetryCondition, number>>> = {
  cancelled: 1, 'deadline-exceeded': 4, 'resource-exhausted': 8, internal: 13, unavailable: 14,
};

export function effectiveRetryPolicy(policy: L7RetryPolicy | undefined): Readonly<L7RetryPolicy> {
  return policy ?? DEFAULT_RETRY_POLICY;
}

function headless(o: TryOutcome): boolean {
  return o.kind !== 'response';
}

function conditionHolds(c: L7RetryCondition, o: TryOutcome, codes: readonly number[]): boolean {
  switch (c) {
    case 'connect-failure': return o.kind === 'connect-failure';
    case 'refused-stream': return o.kind === 'refused-stream';
    case 'reset': return headless(o);
    case '5xx': return headless(o) || (o.kind === 'response' && o.status >= 500 && o.status <= 599);
    case 'gateway-error': return headless(o) || (o.kind === 'response' && (o.status === 502 || o.status === 503 || o.status === 504));
    case 'retriable-4xx': return o.kind === 'response' && o.status === 409;
    case 'retriable-status-codes': return o.kind === 'response' && codes.includes(o.status);
    default: {
      const grpc = GRPC_CONDITIONS[c];
      return grpc !== undefined && o.kind === 'response' && o.grpcStatus === grpc;
    }
  }
}

/** Whether `outcome` of try number `tries` (1 = the first) is tried again under `policy`. */
export function shouldRetry(policy: Readonly<L7RetryPolicy>, outcome: TryOutcome, tries: number): boolean {
  if (tries > policy.attempts) return false;
  return policy.retryOn.some((c) => conditionHolds(c, outcome, policy.retriableStatusCodes));
}

/** The wait before retry number `retry` (1 = the first retry). */
export function retryBackoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(RETRY_BACKOFF.maxMs, (2 ** Math.max(1, retry) - 1) * RETRY_BACKOFF.baseMs);
  return Math.floor(random() * ceiling);
}
