// The words and codes of VirtualService `retries.retryOn` and `fault.abort`, read as istiod
// reads them (VAL supportedRetryOnPolicies and validateHTTPRetry, RT parseRetryOn): shared by
// validation and the L7 translation so both accept exactly the same input.

/** istiod's supportedRetryOnPolicies: Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on conditions. */
export const ENVOY_RETRY_ON: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/** gRPC status names; the index is the code (istiod's SupportedGRPCStatus). */
export const GRPC_STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE',
  'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The statuses Go's http.StatusText names: istiod takes a retryOn part for a status code only when it is one of them. */
const NAMED_STATUSES: ReadonlySet<number> = new Set([
  ...range(100, 103), ...range(200, 208), 226, ...range(300, 305), 307, 308,
  ...range(400, 418), ...range(421, 426), 428, 429, 431, 451, ...range(500, 508), 510, 511,
]);

/** Whether Go's http.StatusText knows the status. */
export function isNamedStatus(code: number): boolean {
  return NAMED_STATUSES.has(code);
}

/**
 * A retryOn part that istiod reads as a status code (strconv.Atoi, then a status
 * http.StatusText knows: "503", "0503", "+503"; not "600" or "499"), else undefined.
 */
export function retryOnStatus(part: string): number | undefined {
  if (!/^[+-]?\d+$/.test(part)) return undefined;
  const n = Number(part);
  return isNamedStatus(n) ? n : undefined;
}
