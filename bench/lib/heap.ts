// Settled heap figures: full garbage collections (needs node --expose-gc) before reading
// heapUsed, so a delta measures what is retained, not garbage waiting to be collected.

export function gcAvailable(): boolean {
  return typeof globalThis.gc === 'function';
}

/** heapUsed in bytes after collecting garbage (twice: weak references and finalizers). */
export function settledHeapUsed(): number {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}
