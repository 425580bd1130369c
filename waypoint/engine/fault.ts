// Fault injection (rule 76): whether a request is delayed and whether it is aborted,
// each independently by its percentage of requests (0–100; Istio's omitted percentage
// is 0, so nothing happens, as the controller translates it). Pure: `random` returns
// [0, 1), so 100 % always applies and 0 % never does.
import type { L7Fault } from '../../api/l7-model.js';

export interface FaultDecision {
  delayMs?: number;
  /** Answer without forwarding: an HTTP status, or a gRPC status (answered over HTTP 200). */
  abort?: { httpStatus?: number; grpcStatus?: number };
}

const NONE: FaultDecision = Object.freeze({});

function applies(percentage: number, random: () => number): boolean {
  return percentage > 0 && random() * 100 < percentage;
}

export function decideFault(fault: L7Fault | undefined, random: () => number): FaultDecision {
  if (!fault) return NONE;
  const out: FaultDecision = {};
  if (fault.delay && applies(fault.delay.percentage, random)) out.delayMs = fault.delay.fixedDelayMs;
  if (fault.abort && applies(fault.abort.percentage, random)) {
    out.abort = fault.abort.grpcStatus !== undefined ? { grpcStatus: fault.abort.grpcStatus } : { httpStatus: fault.abort.httpStatus ?? 503 };
  }
  return out;
}
