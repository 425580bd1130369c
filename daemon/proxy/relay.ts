// Copies bytes both ways between two duplex streams until both directions have ended.
// Half-close propagates (one side's end becomes the other side's end of writing, the
// reverse direction keeps flowing); an error or abrupt close on either side destroys
// the other (a reset), so nothing is left half-alive.
import type { Duplex } from 'node:stream';

/**
 * Stream buffer size for a daemon process (stream.setDefaultHighWaterMark): with Node's
 * 16 KiB default, each 64 KiB socket read fills the next hop's buffer and pipe() waits
 * for its drain, one read in flight per hop. 256 KiB (ztunnel's largest copy buffer)
 * gave 5–10 % more single-stream throughput (B3) in A/B runs; HTTP/2 windows still bound
 * what a connection can have in flight.
 */
export const RELAY_HIGH_WATER_MARK = 256 * 1024;

export interface RelayResult {
  /** Bytes from `a` to `b` (client → server: the request direction). */
  sent: number;
  /** Bytes from `b` to `a` (the response direction). */
  received: number;
  error?: Error;
}

/**
 * Destroys a stream; a TCP socket is reset (RST), so the peer sees the failure as a
 * reset, not an end. A socket whose writing side was already ended is only destroyed:
 * while its shutdown is in flight libuv refuses the reset (EINVAL) and Node drops the
 * handle without closing it, leaking the socket's file descriptor.
 */
export function abort(stream: Duplex): void {
  const socket = stream as Duplex & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function' && !stream.destroyed && !stream.writableEnded) {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // not connected yet: a plain destroy below
    }
  }
  stream.destroy();
}

export function relay(a: Duplex, b: Duplex): Promise<RelayResult> {
  return new Promise((resolve) => {
    const result: RelayResult = { sent: 0, received: 0 };
    let aEnded = false;
    let bEnded = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    const fail = (err?: Error): void => {
      if (done) return;
      if (err && !result.error) result.error = err;
      abort(a);
      abort(b);
      finish();
    };
    a.on('data', (chunk: Buffer) => { result.sent += chunk.length; });
    b.on('data', (chunk: Buffer) => { result.received += chunk.length; });
    a.pipe(b);
    b.pipe(a);
    a.on('end', () => { aEnded = true; });
    b.on('end', () => { bEnded = true; });
    a.on('error', fail);
    b.on('error', fail);
    const onClose = (): void => {
      // A side closed: if both directions ended cleanly this is the normal end,
      // otherwise it is an abrupt close that resets the other side.
      if (aEnded && bEnded) {
        if (a.destroyed && b.destroyed) finish();
        else { a.destroy(); b.destroy(); }
      } else {
        fail(result.error);
      }
    };
    a.on('close', onClose);
    b.on('close', onClose);
  });
}
