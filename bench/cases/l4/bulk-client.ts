// B3's single bulk stream, client side: "UP <n>\n" then n bytes (the server answers
// "OK\n" once it has them all), or "DOWN <n>\n" (the server sends n bytes and ends).
// Timed from the first byte written to the last byte (or the OK) received.
import type { Socket } from 'node:net';
import type { LoopbackFabric } from '../../../daemon/network/loopback-network.js';
import { connectTarget } from './connect-target.js';
import type { BulkRun, Target } from './messages.js';

const CHUNK = Buffer.alloc(256 * 1024, 0x5a);
const TIMEOUT_MS = 300_000;

/** Writes `total` bytes of CHUNK-sized writes, waiting for 'drain' whenever the socket asks. */
function writeAll(sock: Socket, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!sock.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        sock.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

export async function bulk(target: Target, direction: 'upload' | 'download', bytes: number, fabric: LoopbackFabric | undefined): Promise<BulkRun> {
  const sock = await connectTarget(target, fabric);
  try {
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bulk ${direction} of ${bytes} bytes not done within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      let received = 0;
      let started = 0;
      const done = (): void => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      };
      sock.on('error', (err) => { clearTimeout(timer); reject(err); });
      sock.on('close', () => { clearTimeout(timer); reject(new Error(`connection closed after ${received} bytes`)); });
      if (direction === 'upload') {
        let reply = '';
        sock.on('data', (chunk: Buffer) => {
          reply += chunk.toString('latin1');
          if (reply.includes('\n')) {
            if (reply.startsWith('OK')) done();
            else reject(new Error(`server answered ${JSON.stringify(reply)}`));
          }
        });
        sock.write(`UP ${bytes}\n`);
        started = performance.now();
        writeAll(sock, bytes);
      } else {
        sock.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= bytes) done();
        });
        started = performance.now();
        sock.write(`DOWN ${bytes}\n`);
      }
    });
    return { direction, bytes, ms, mbPerSecond: bytes / 1e6 / (ms / 1000) };
  } finally {
    sock.removeAllListeners('close');
    sock.on('error', () => {});
    sock.destroy();
  }
}
