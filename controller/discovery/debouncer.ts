// Debounces bursts of changes: runs `fn` once things are quiet for `quietMs`, but never
// later than `maxDelayMs` after the first change of a burst (no starvation).

export class Debouncer {
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(private readonly fn: () => void, private readonly quietMs = 100, private readonly maxDelayMs = 1000) {}

  trigger(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.fire(), this.quietMs);
    this.maxTimer ??= setTimeout(() => this.fire(), this.maxDelayMs);
  }

  /** Runs now if a run is pending. */
  flush(): void {
    if (this.quietTimer || this.maxTimer) this.fire();
  }

  cancel(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
  }

  private fire(): void {
    this.cancel();
    this.fn();
  }
}
