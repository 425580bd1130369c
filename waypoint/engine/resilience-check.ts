// Shape checks for a route's retry policy and fault (the waypoint's compile check: a
// config that fails them is NACKed by name). The controller validates what users write
// (rules 74, 76); this guards what reaches the waypoint.
import { RETRY_CONDITIONS, type L7Fault, type L7RetryPolicy } from '../../api/l7-model.js';

export class ResilienceShapeError extends Error {}

function fail(field: string, message: string): never {
  throw new ResilienceShapeError(`${field} ${message}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPercentage = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 100;
const CONDITIONS: ReadonlySet<string> = new Set(RETRY_CONDITIONS);

export function checkRetryPolicy(raw: unknown): L7RetryPolicy {
  if (!isRecord(raw)) return fail('retries', 'must be an object');
  if (!isCount(raw.attempts)) fail('retries.attempts', 'must be a whole number ≥ 0');
  if (raw.perTryTimeoutMs !== undefined && !isMs(raw.perTryTimeoutMs)) fail('retries.perTryTimeoutMs', 'must be a non-negative number of milliseconds');
  if (!Array.isArray(raw.retryOn)) return fail('retries.retryOn', 'must be a list');
  for (const c of raw.retryOn) if (typeof c !== 'string' || !CONDITIONS.has(c)) fail('retries.retryOn', `has an unknown condition ${JSON.stringify(c)}`);
  if (!Array.isArray(raw.retriableStatusCodes) || !raw.retriableStatusCodes.every((c) => Number.isInteger(c) && (c as number) >= 100 && (c as number) <= 599)) {
    fail('retries.retriableStatusCodes', 'must be a list of HTTP statuses');
  }
  return raw as unknown as L7RetryPolicy;
}

export function checkFault(raw: unknown): L7Fault {
  if (!isRecord(raw)) return fail('fault', 'must be an object');
  if (raw.delay === undefined && raw.abort === undefined) fail('fault', 'needs a delay or an abort');
  if (raw.delay !== undefined) {
    if (!isRecord(raw.delay)) return fail('fault.delay', 'must be an object');
    if (!isMs(raw.delay.fixedDelayMs)) fail('fault.delay.fixedDelayMs', 'must be a non-negative number of milliseconds');
    if (!isPercentage(raw.delay.percentage)) fail('fault.delay.percentage', 'must be a number from 0 to 100');
  }
  if (raw.abort !== undefined) {
    if (!isRecord(raw.abort)) return fail('fault.abort', 'must be an object');
    const { httpStatus, grpcStatus } = raw.abort;
    if ((httpStatus === undefined) === (grpcStatus === undefined)) fail('fault.abort', 'needs exactly one of httpStatus and grpcStatus');
    if (httpStatus !== undefined && !(Number.isInteger(httpStatus) && (httpStatus as number) >= 200 && (httpStatus as number) <= 599)) fail('fault.abort.httpStatus', 'must be an HTTP status from 200 to 599');
    if (grpcStatus !== undefined && !(Number.isInteger(grpcStatus) && (grpcStatus as number) >= 0 && (grpcStatus as number) <= 16)) fail('fault.abort.grpcStatus', 'must be a gRPC status code from 0 to 16');
    if (!isPercentage(raw.abort.percentage)) fail('fault.abort.percentage', 'must be a number from 0 to 100');
  }
  return raw;
}
