// Exponential backoff with jitter for reconnects and retried lists.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt: initial * 2^n capped at max, minus up to 20% jitter. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (0.8 + 0.2 * Math.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
