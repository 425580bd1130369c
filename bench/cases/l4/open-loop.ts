// The open-loop HTTP/1.1 load of B1/B2 (Istio's method: fortio -qps R -uniform
// -nocatchup): request k is due at start + k/R and goes to connection k mod N, so the
// requests are spread uniformly over N keep-alive connections. A request due while
// its connection still waits for the previous response queues behind it, and every
// latency is measured from the intended send time, so a slow response delays (and is
// charged for) the requests behind it: no coordinated omission.
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { LoopbackFabric } from '../../../daemon/network/loopback-network.js';
import { connectTarget } from './connect-target.js';
import type { LatencyRun, Target } from './messages.js';
import { summarize } from './summary.js';
import type { TickerData, TickerMessage } from './ticker-worker.js';

const REQUEST = Buffer.from('GET /payload HTTP/1.1\r\nHost: server\r\n\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** How long a run waits for the last responses after the last request was due. */
const DRAIN_MS = 10_000;

type Clock = () => number;

/** One keep-alive connection: at most one request in flight, the rest queued. */
class HttpConnection {
  private inFlight = -1;
  private readonly queue: number[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private need = -1; // bytes of the current response once its header is parsed
  private badStatus: string | undefined; // the current response's status line when it is not 2xx
  /** Called with the request index when its response is complete, and its status line when that is not 2xx. */
  onResponse: (index: number, badStatus: string | undefined) => void = () => {};
  onSent: (index: number) => void = () => {};
  failure: Error | undefined;

  constructor(private readonly sock: Socket, onFailure: (err: Error) => void) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error): void => {
      this.failure ??= err;
      onFailure(this.failure);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed by the peer')));
  }

  enqueue(index: number): void {
    if (this.inFlight >= 0) this.queue.push(index);
    else this.send(index);
  }

  /** Requests sent or queued and not answered. */
  get outstanding(): number {
    return this.queue.length + (this.inFlight >= 0 ? 1 : 0);
  }

  reset(): void {
    this.queue.length = 0;
    this.inFlight = -1;
    this.buffered = Buffer.alloc(0);
    this.need = -1;
    this.badStatus = undefined;
  }

  close(): void {
    this.sock.removeAllListeners('close');
    this.sock.on('error', () => {});
    this.sock.destroy();
  }

  private send(index: number): void {
    this.inFlight = index;
    this.onSent(index);
    this.sock.write(REQUEST);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (let guard = 0; guard < 64; guard++) {
      if (this.need < 0) {
        const end = this.buffered.indexOf(HEADER_END);
        if (end < 0) return;
        const head = this.buffered.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!m) {
          this.sock.destroy(new Error(`response without Content-Length: ${head.split('\r\n')[0] ?? ''}`));
          return;
        }
        this.need = end + HEADER_END.length + Number(m[1]);
        const eol = head.indexOf('\r\n');
        const statusLine = eol < 0 ? head : head.slice(0, eol);
        this.badStatus = /^HTTP\/\d\.\d 2\d\d/.test(statusLine) ? undefined : statusLine;
      }
      if (this.buffered.length < this.need) return;
      this.buffered = this.buffered.subarray(this.need);
      this.need = -1;
      const done = this.inFlight;
      this.inFlight = -1;
      if (done >= 0) this.onResponse(done, this.badStatus);
      const next = this.queue.shift();
      if (next !== undefined) this.send(next);
    }
  }
}

export class OpenLoopHttp {
  private failure: Error | undefined;
  private failListener: ((err: Error) => void) | undefined;

  private constructor(private readonly conns: HttpConnection[]) {}

  static async open(target: Target, connections: number, fabric: LoopbackFabric | undefined): Promise<OpenLoopHttp> {
    const socks = await Promise.all(Array.from({ length: connections }, () => connectTarget(target, fabric)));
    const holder: { self?: OpenLoopHttp } = {};
    const onFailure = (err: Error): void => holder.self?.fail(err);
    holder.self = new OpenLoopHttp(socks.map((s) => new HttpConnection(s, onFailure)));
    return holder.self;
  }

  close(): void {
    for (const c of this.conns) c.close();
  }

  /** `rate` requests per second for `durationMs`; resolves once every response came (or DRAIN_MS passed). */
  run(rate: number, durationMs: number): Promise<LatencyRun> {
    if (this.failure) return Promise.reject(this.failure);
    const count = Math.max(1, Math.round((rate * durationMs) / 1000));
    const intervalMs = 1000 / rate;
    const base = process.hrtime.bigint();
    const now: Clock = () => Number(process.hrtime.bigint() - base) / 1e6;
    const sentAt = new Float64Array(count);
    const latency = new Float64Array(count);
    const service = new Float64Array(count);
    const lag = new Float64Array(count);
    let startMs = Number.NaN;
    let next = 0;
    let completed = 0;
    let lastDone = 0;
    let non2xx = 0;
    let firstNon2xx: string | undefined;
    for (const c of this.conns) {
      c.reset();
      c.onSent = (k) => { sentAt[k] = now(); };
      c.onResponse = (k, badStatus) => {
        const t = now();
        if (badStatus !== undefined) {
          non2xx++;
          firstNon2xx ??= badStatus;
        }
        const intended = startMs + k * intervalMs;
        latency[completed] = t - intended;
        service[completed] = t - sentAt[k]!;
        lag[completed] = sentAt[k]! - intended;
        completed++;
        lastDone = t;
        if (completed === count) finish();
      };
    }
    const stop = new SharedArrayBuffer(4);
    const data: TickerData = { base, intervalMs, count, stop };
    const ticker = new Worker(new URL('./ticker-worker.js', import.meta.url), { workerData: data });
    let settle: ((err?: Error) => void) | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => settle?.(err);

    return new Promise<LatencyRun>((resolve, reject) => {
      settle = (err) => {
        settle = undefined;
        clearTimeout(drainTimer);
        this.failListener = undefined;
        Atomics.store(new Int32Array(stop), 0, 1);
        Atomics.notify(new Int32Array(stop), 0);
        void ticker.terminate();
        if (err) return reject(err);
        const outstanding = this.conns.reduce((n, c) => n + c.outstanding, 0);
        // A late response would be taken for the next run's: this load is spent.
        if (outstanding > 0) this.failure ??= new Error(`${outstanding} request(s) still unanswered after a run`);
        const measured = (durationMs > 0 ? count * intervalMs : 1) / 1000;
        resolve({
          samplesMs: latency.slice(0, completed),
          sendLagMs: summarize(lag.subarray(0, completed)),
          serviceMs: summarize(service.subarray(0, completed)),
          scheduled: count,
          completed,
          unanswered: outstanding + (count - next),
          non2xx,
          ...(firstNon2xx !== undefined ? { firstNon2xx } : {}),
          durationMs: (lastDone || now()) - startMs,
          achievedRps: completed / measured,
        });
      };
      this.failListener = (err) => finish(err);
      ticker.on('error', (err) => finish(err));
      ticker.on('message', (m: TickerMessage) => {
        if (typeof m !== 'number') {
          startMs = m.startMs;
          return;
        }
        while (next <= m && next < count) {
          this.conns[next % this.conns.length]!.enqueue(next);
          next++;
        }
        if (next === count && drainTimer === undefined) drainTimer = setTimeout(() => finish(), DRAIN_MS);
      });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.failListener?.(err);
  }
}
