// Promises that resolve when a condition becomes true, re-checked whenever the owner
// calls notify() (no timers: a test that never gets there fails by the runner's timeout).

export class ConditionWaiters {
  private readonly probes = new Set<() => void>();

  waitFor<T>(check: () => T | undefined | false | null | 0): Promise<T> {
    return new Promise<T>((resolve) => {
      const probe = (): void => {
        const v = check();
        if (v) {
          this.probes.delete(probe);
          resolve(v);
        }
      };
      this.probes.add(probe);
      probe();
    });
  }

  notify(): void {
    for (const p of [...this.probes]) p();
  }

  clear(): void {
    this.probes.clear();
  }
}
