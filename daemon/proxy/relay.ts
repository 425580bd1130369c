// Copies bytes both ways between two duplex streams until both directions have ended.
// Half-close propagates (one side's end becomes the other side's end of writing, the
// reverse direction keeps flowing); an error or abrupt close on either side destroys
// the other (a reset), so nothing is left half-alive.
//
// Backpressure: a source is paused only once RELAY_HIGH_WATER_BYTES are waiting in its
// destination's write buffer, not at the destination's own highWaterMark (16 KiB for
// sockets and HTTP/2 streams) as pipe() would: with pipe(), every 64 KiB read stalls
// the source until the destination drains, and a bulk stream through two daemons runs
// in lock step instead of keeping each hop busy.
import type { Duplex } from 'node:stream';

export interface RelayResult {
  /** Bytes from `a` to `b` (client → server: the request direction). */
  sent: number;
  /** Bytes from `b` to `a` (the response direction). */
  received: number;
  error?: Error;
}

/** Bytes a destination may hold in its write buffer before the relay pauses the source. */
export const RELAY_HIGH_WATER_BYTES = Number(process.env.AMBIT_RELAY_HWM ?? 256 * 1024);

/** Destroys a stream; a TCP socket is reset (RST), so the peer sees the failure as a reset, not an end. */
export function abort(stream: Duplex): void {
  const socket = stream as Duplex & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function' && !stream.destroyed) {
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
    pump(a, b, (n) => { result.sent += n; });
    pump(b, a, (n) => { result.received += n; });
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

/** One direction: src's data written to dst (src paused while dst holds too much), src's end ends dst. */
function pump(src: Duplex, dst: Duplex, count: (bytes: number) => void): void {
  let waiting = false;
  const onDrain = (): void => {
    waiting = false;
    src.resume();
  };
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (dst.destroyed || dst.writableEnded) return; // the relay is failing or closing: see onClose
    if (!dst.write(chunk) && !waiting && dst.writableLength >= RELAY_HIGH_WATER_BYTES) {
      waiting = true;
      src.pause();
      dst.once('drain', onDrain);
    }
  });
  src.once('end', () => {
    if (!dst.destroyed && !dst.writableEnded) dst.end();
  });
  src.resume(); // like pipe(): a source paused by its owner starts flowing here
}
