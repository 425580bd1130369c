// B4's connection churn, client side: `concurrency` loops, each connecting, writing
// "ping\n", reading the server's "pong\n" and its end (the server closes first, so
// TIME_WAIT stays on the server side and client ports are not exhausted), ending, and
// starting over. Connections completed within the window after the warm-up are counted.
import type { Socket } from 'node:net';
import type { LoopbackFabric } from '../../../daemon/network/loopback-network.js';
import { connectTarget } from './connect-target.js';
import type { ConnRateRun, Target } from './messages.js';
import { summarize } from './summary.js';

const PING = Buffer.from('ping\n');
const PONG_BYTES = 5;
const PER_CONNECTION_TIMEOUT_MS = 5000;
const MAX_SAMPLES = 1_000_000;

function exchange(sock: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no reply within ${PER_CONNECTION_TIMEOUT_MS} ms`));
    }, PER_CONNECTION_TIMEOUT_MS);
    sock.on('data', (chunk: Buffer) => { got += chunk.length; });
    sock.on('end', () => sock.end());
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
    sock.on('close', () => {
      clearTimeout(timer);
      if (got >= PONG_BYTES) resolve();
      else reject(new Error(`closed after ${got} of ${PONG_BYTES} reply bytes`));
    });
    sock.write(PING);
  });
}

export async function connRate(target: Target, concurrency: number, warmupMs: number, durationMs: number, fabric: LoopbackFabric | undefined): Promise<ConnRateRun> {
  const started = performance.now();
  const measureFrom = started + warmupMs;
  const end = measureFrom + durationMs;
  const latencies = new Float64Array(MAX_SAMPLES);
  let connections = 0;
  let errors = 0;
  let firstError: string | undefined;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await exchange(await connectTarget(target, fabric));
        const t1 = performance.now();
        if (t1 >= measureFrom && t1 <= end && connections < MAX_SAMPLES) latencies[connections++] = t1 - t0;
      } catch (err) {
        if (t0 >= measureFrom) errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = durationMs / 1000;
  return {
    connections, errors, seconds, perSecond: connections / seconds,
    latencyMs: summarize(latencies.subarray(0, connections)),
    ...(firstError ? { firstError } : {}),
  };
}
