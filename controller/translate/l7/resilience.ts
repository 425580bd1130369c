// A route's retry policy and fault injection → L7 (reference rules 74-76), as istiod turns
// them into Envoy's (RT retry.go ConvertPolicy/parseRetryOn, route.go TranslateFault):
//
// - VirtualService `retries`: absent → no policy here (the waypoint applies Istio's
//   default); `attempts` ≤ 0 (or unset) → no retries; else `attempts` retries on the
//   default conditions, or on `retryOn`'s (bare statuses go to retriableStatusCodes and
//   add `retriable-status-codes`). Conditions the waypoint does not implement are dropped
//   with a warning.
// - VirtualService `fault`: a delay needs `fixedDelay`, an abort `httpStatus` or
//   `grpcStatus` (a name → its code); what is left without either is dropped, as istiod
//   does. An omitted percentage affects no request (ambiguity E), with a warning.
// - Gateway API rule `retry` and `timeouts` (conversion.go convertHTTPRoute): attempts
//   default 2, conditions connect-failure, refused-stream, unavailable, cancelled plus
//   `codes`; `timeouts.backendRequest` bounds each try when the rule has a `retry`, and
//   is the route timeout (in place of `timeouts.request`) when it has none.
import type { L7Fault, L7RetryCondition, L7RetryPolicy } from '../../../api/l7-model.js';
import { DEFAULT_RETRY_POLICY, RETRY_CONDITIONS } from '../../../api/l7-model.js';
import { parseGatewayApiDuration } from '../../validation/duration.js';
import { ENVOY_RETRY_ON, GRPC_STATUS_NAMES, isNamedStatus, retryOnStatus } from '../../validation/retry-and-fault-codes.js';
import type { Rec } from './common.js';
import { clampPercent, durationMs, int, list, rec, str } from './common.js';
import type { Warn } from './vs-actions.js';

const IMPLEMENTED: ReadonlySet<string> = new Set(RETRY_CONDITIONS);
const STATUS_CONDITION: L7RetryCondition = 'retriable-status-codes';
/** What istiod's Gateway API conversion retries on, before the rule's `codes`. */
const GATEWAY_API_RETRY_ON = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'];
const GATEWAY_API_ATTEMPTS = 2;

/** `attempts` 0: retries disabled. */
const noRetries = (): L7RetryPolicy => ({ attempts: 0, retryOn: [], retriableStatusCodes: [] });

type Conditions = Pick<L7RetryPolicy, 'retryOn' | 'retriableStatusCodes'>;

/**
 * retryOn parts (trimmed; empty ones skipped) → conditions and statuses (istiod's
 * parseRetryOn). `warn` gets the parts that are dropped.
 */
function retryConditions(parts: readonly string[], warn: (message: string) => void): Conditions {
  const retryOn = new Set<L7RetryCondition>();
  const codes = new Set<number>();
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    const code = retryOnStatus(part);
    if (code !== undefined) codes.add(code);
    else if (IMPLEMENTED.has(part)) retryOn.add(part as L7RetryCondition);
    else if (ENVOY_RETRY_ON.has(part)) warn(`retry condition ${part} is not implemented by the waypoint: dropped`);
    else warn(`"${part}" is neither a retry condition nor an HTTP status: ignored`);
  }
  if (codes.size > 0) retryOn.add(STATUS_CONDITION);
  return { retryOn: [...retryOn], retriableStatusCodes: [...codes] };
}

function fullPolicy(attempts: number): L7RetryPolicy {
  return { attempts, retryOn: [...DEFAULT_RETRY_POLICY.retryOn], retriableStatusCodes: [...DEFAULT_RETRY_POLICY.retriableStatusCodes] };
}

/** Warnings for the retry fields the waypoint has no use for (backoff has no place in the model yet). */
function unusedRetryFields(r: Rec, path: string, warn: Warn): void {
  if (r.backoff !== undefined && r.backoff !== null) warn(`${path}.backoff`, 'not supported by the waypoint yet: ignored');
  if (r.retryRemoteLocalities === true) warn(`${path}.retryRemoteLocalities`, 'has no effect: the waypoint has no localities');
  if (r.retryIgnorePreviousHosts === false) warn(`${path}.retryIgnorePreviousHosts`, 'false is not supported by the waypoint: ignored');
}

/** VirtualService `retries` (rule 74); undefined when absent. `path` is the field's, e.g. `spec.http[0].retries`. */
export function istioRetries(v: unknown, path: string, warn: Warn): L7RetryPolicy | undefined {
  const r = rec(v);
  if (!r) return undefined;
  unusedRetryFields(r, path, warn);
  const attempts = int(r.attempts) ?? 0;
  if (attempts <= 0) {
    const ignored = ['perTryTimeout', 'retryOn'].filter((k) => r[k] !== undefined && r[k] !== null && r[k] !== '');
    if (ignored.length > 0) warn(path, `attempts is 0, which disables retries: ${ignored.join(', ')} ignored`);
    return noRetries();
  }
  const out = fullPolicy(attempts);
  const retryOn = str(r.retryOn);
  if (retryOn !== undefined && retryOn !== '') Object.assign(out, retryConditions(retryOn.split(','), (m) => warn(`${path}.retryOn`, m)));
  const perTry = str(r.perTryTimeout);
  if (perTry !== undefined) {
    const ms = durationMs(perTry);
    if (ms === undefined) warn(`${path}.perTryTimeout`, `"${perTry}" is not a duration: ignored`);
    else if (ms > 0) out.perTryTimeoutMs = ms;
  }
  return out;
}

/** Gateway API HTTPRoute rule `retry`, as istiod converts it. `path` is the field's, e.g. `spec.rules[0].retry`. */
function gatewayApiRetry(r: Rec, path: string, warn: Warn): L7RetryPolicy {
  if (r.backoff !== undefined && r.backoff !== null) warn(`${path}.backoff`, 'not supported by the waypoint yet: ignored');
  const attempts = int(r.attempts) ?? GATEWAY_API_ATTEMPTS;
  if (attempts <= 0) return noRetries();
  const parts = [...GATEWAY_API_RETRY_ON];
  list(r.codes).forEach((c, k) => {
    const code = int(c);
    if (code === undefined) return;
    if (isNamedStatus(code)) parts.push(String(code));
    else warn(`${path}.codes[${k}]`, `${code} is never retried: istiod passes a status it does not know to Envoy as a retry condition, which Envoy ignores`);
  });
  return { attempts, ...retryConditions(parts, (m) => warn(`${path}.codes`, m)) };
}


/** `percentage.value`, else (delay only) the deprecated integer `percent`; omitted → 0 with a warning. */
function faultPercentage(r: Rec, path: string, verb: string, warn: Warn, legacy: boolean): number {
  const pct = rec(r.percentage);
  if (pct) return typeof pct.value === 'number' ? clampPercent(pct.value) : 0;
  const percent = legacy ? int(r.percent) : undefined;
  if (percent !== undefined) return clampPercent(percent);
  warn(path, `percentage is not set: no request is ${verb} (the fault has no effect without a percentage)`);
  return 0;
}

function faultDelay(d: Rec, path: string, warn: Warn): L7Fault['delay'] {
  const fixed = str(d.fixedDelay);
  if (fixed === undefined) {
    warn(path, 'no fixedDelay (exponentialDelay is not supported): the delay is ignored');
    return undefined;
  }
  const ms = durationMs(fixed);
  if (ms === undefined) {
    warn(`${path}.fixedDelay`, `"${fixed}" is not a duration: the delay is ignored`);
    return undefined;
  }
  return { fixedDelayMs: ms, percentage: faultPercentage(d, path, 'delayed', warn, true) };
}

function faultAbort(a: Rec, path: string, warn: Warn): L7Fault['abort'] {
  const grpcName = str(a.grpcStatus);
  const httpStatus = int(a.httpStatus);
  if (httpStatus !== undefined) {
    if (httpStatus < 200 || httpStatus > 599) {
      warn(`${path}.httpStatus`, `HTTP status ${httpStatus} is outside 200-599 (Envoy rejects it): the abort is ignored`);
      return undefined;
    }
    return { httpStatus, percentage: faultPercentage(a, path, 'aborted', warn, false) };
  }
  if (grpcName !== undefined) {
    const grpcStatus = (GRPC_STATUS_NAMES as readonly string[]).indexOf(grpcName);
    if (grpcStatus < 0) {
      warn(`${path}.grpcStatus`, `"${grpcName}" is not a gRPC status name: the abort is ignored`);
      return undefined;
    }
    return { grpcStatus, percentage: faultPercentage(a, path, 'aborted', warn, false) };
  }
  warn(path, a.http2Error !== undefined ? 'http2Error is not supported: the abort is ignored' : 'no httpStatus or grpcStatus: the abort is ignored');
  return undefined;
}

/** VirtualService `fault` (rule 76); undefined when absent or when nothing usable is left. */
export function istioFault(v: unknown, path: string, warn: Warn): L7Fault | undefined {
  const f = rec(v);
  if (!f) return undefined;
  const out: L7Fault = {};
  const d = rec(f.delay);
  const delay = d && faultDelay(d, `${path}.delay`, warn);
  if (delay) out.delay = delay;
  const a = rec(f.abort);
  const abort = a && faultAbort(a, `${path}.abort`, warn);
  if (abort) out.abort = abort;
  return out.delay || out.abort ? out : undefined;
}

/** A Gateway API duration in whole ms (rounded up); undefined when absent, malformed (warned) or 0. */
function gatewayApiMs(v: unknown, path: string, warn: Warn): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const ns = parseGatewayApiDuration(s);
  if (ns === undefined) {
    warn(path, `"${s}" is not a Gateway API duration: ignored`);
    return undefined;
  }
  return ns > 0n ? Number((ns + 999_999n) / 1_000_000n) : undefined;
}

export interface RuleResilience {
  timeoutMs?: number;
  retries?: L7RetryPolicy;
}

/** An HTTPRoute rule's `timeouts` and `retry` (rules 73, 74). `path` is the rule's, e.g. `spec.rules[0]`. */
export function gatewayApiResilience(rule: Rec, path: string, warn: Warn): RuleResilience {
  const out: RuleResilience = {};
  const retry = rec(rule.retry);
  if (retry) out.retries = gatewayApiRetry(retry, `${path}.retry`, warn);
  const timeouts = rec(rule.timeouts);
  const request = gatewayApiMs(timeouts?.request, `${path}.timeouts.request`, warn);
  if (request !== undefined) out.timeoutMs = request;
  const backend = gatewayApiMs(timeouts?.backendRequest, `${path}.timeouts.backendRequest`, warn);
  if (backend === undefined) return out;
  const at = `${path}.timeouts.backendRequest`;
  if (!out.retries) {
    if (request !== undefined && request !== backend) warn(at, 'without a retry it is the route timeout, in place of timeouts.request (as istiod converts it)');
    out.timeoutMs = backend;
  } else if (out.retries.attempts > 0) out.retries.perTryTimeoutMs = backend;
  else warn(at, 'has no effect: retry.attempts is 0, so there is no retry policy to bound each try');
  return out;
}
