// Circuit breaking (rule 86): the accounting of one destination (service, subset, port)
// in this waypoint, against the DestinationRule's connectionPool. Pure bookkeeping: the
// caller asks, then tells when a request or retry ends.
//  - A request may run while fewer than `http2MaxRequests` run; over HTTP/1.1 each running
//    request holds a connection, so also while fewer than `maxConnections` run.
//  - Otherwise it waits, while fewer than `http1MaxPendingRequests` wait (HTTP/1.1 only);
//    past that it overflows: 503 with flag UO.
//  - A retry may start while fewer than `maxRetries` retries run; else it is not retried.
//  - An opaque TCP connection may open while fewer than `maxConnections` are open; else
//    it is closed at once (Envoy's TCP proxy does not queue).
// Unset limits are unlimited (Istio sets Envoy's thresholds to 2^32-1).
import type { L7ConnectionPool } from '../../api/l7-model.js';

export type Admission = 'run' | 'wait' | 'overflow';

export class CircuitBreaker {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private retrying = 0;

  /** Requests running, waiting, and retries running (for the config dump and tests). */
  counts(): { running: number; waiting: number; retrying: number } {
    return { running: this.running, waiting: this.waiting.length, retrying: this.retrying };
  }

  /**
   * Admits a request: 'run' (counted as running now), 'wait' (`granted` is called when it
   * may run, counted as running from then) or 'overflow'.
   */
  admit(limits: L7ConnectionPool | undefined, http1: boolean, granted: () => void): Admission {
    if (this.running < runLimit(limits, http1)) {
      this.running++;
      return 'run';
    }
    if (http1 && this.running < (limits?.http2MaxRequests ?? Infinity) && this.waiting.length < (limits?.http1MaxPendingRequests ?? Infinity)) {
      this.waiting.push(granted);
      return 'wait';
    }
    return 'overflow';
  }

  /** Admits a TCP connection (counted as running until release()), or refuses it. */
  admitConnection(limits: L7ConnectionPool | undefined): boolean {
    if (this.running >= (limits?.maxConnections ?? Infinity)) return false;
    this.running++;
    return true;
  }

  /** Withdraws a waiting request (its client went away); false when it was already granted. */
  withdraw(granted: () => void): boolean {
    const i = this.waiting.indexOf(granted);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  /** A running request ended: the next waiting one runs, if the limits allow. */
  release(limits: L7ConnectionPool | undefined, http1: boolean): void {
    this.running = Math.max(0, this.running - 1);
    while (this.waiting.length > 0 && this.running < runLimit(limits, http1)) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  /** Takes a retry slot, or says no (the failure then stands). */
  startRetry(limits: L7ConnectionPool | undefined): boolean {
    if (this.retrying >= (limits?.maxRetries ?? Infinity)) return false;
    this.retrying++;
    return true;
  }

  endRetry(): void {
    this.retrying = Math.max(0, this.retrying - 1);
  }
}

function runLimit(limits: L7ConnectionPool | undefined, http1: boolean): number {
  const requests = limits?.http2MaxRequests ?? Infinity;
  return http1 ? Math.min(requests, limits?.maxConnections ?? Infinity) : requests;
}
