// One try of a request upstream, for the retry stage: the exchange runs until the
// response head arrives; then either the response is committed (relayed to the client,
// headers and body) or, when `retryable` says this response is to be retried, the try is
// abandoned without the client seeing anything. A try that fails before any head
// (connection failure, refused stream, reset, per-try timeout) is classified the same way
// (engine/retry.ts TryOutcome).
import type { Readable } from 'node:stream';
import type { L7ConnectionPool, L7HeaderOps } from '../api/l7-model.js';
import type { TryOutcome } from './engine/index.js';
import { relayedHeaders, withoutHopByHop } from './forwarding.js';
import { applyHeaderOps, headerMap } from './engine/index.js';
import type { IncomingHeaders, UpstreamEndpoint, UpstreamExchange, UpstreamProtocol, Upstreams } from './upstream.js';
import { UpstreamFailure } from './upstream.js';

/** The client side of a try: what the proxy's response object offers. */
export interface ClientResponse {
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  write(chunk: Buffer): boolean;
  addTrailers(trailers: Record<string, string>): void;
  end(): unknown;
  destroy(): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

export interface TryRequest {
  endpoint: UpstreamEndpoint;
  protocol: UpstreamProtocol;
  method: string;
  path: string;
  headers: ReadonlyMap<string, string>;
  body?: Readable;
  responseHeaders: readonly L7HeaderOps[];
  perTryTimeoutMs?: number;
  /** Whether a try that ended this way is tried again (so a response with this outcome is not relayed). */
  retryable: (outcome: TryOutcome) => boolean;
  /** Called with the exchange once it runs, so the caller can abort it (route timeout, client gone). */
  started: (exchange: UpstreamExchange) => void;
  /** The destination's connection pool settings (keep-alive, idle and connect timeouts). */
  pool?: L7ConnectionPool;
  /** A consistent-hash affinity cookie to add to the response. */
  setCookie?: string;
}

export type TryResult =
  | { committed: true; status: number; grpcStatus?: string; bytes: number; failed?: 'reset' | 'per-try-timeout' | 'aborted'; error?: string }
  | { committed: false; outcome: TryOutcome; error: string; aborted: boolean };

const RETRYING = new Error('retrying');

export function tryUpstream(upstreams: Upstreams, req: TryRequest, res: ClientResponse): Promise<TryResult> {
  return new Promise<TryResult>((resolve) => {
    const h2 = req.protocol === 'http2';
    let settled = false;
    let discarding = false;
    let committed = false;
    let perTryTimedOut = false;
    let status = 0;
    let grpcStatus: string | undefined;
    let trailersOnly: Record<string, string> | undefined;
    let bytes = 0;
    let timer: NodeJS.Timeout | undefined;
    let aborted = false;
    const settle = (r: TryResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const exchange = upstreams.request(req.endpoint, req.protocol, { method: req.method, path: req.path, headers: req.headers, body: req.body, ...(req.pool ? { pool: req.pool } : {}) }, {
      head: (statusCode, raw) => {
        const grpc = firstValue(raw['grpc-status']);
        const outcome: TryOutcome = { kind: 'response', status: statusCode, ...(grpc !== undefined ? { grpcStatus: Number(grpc) } : {}) };
        if (req.retryable(outcome)) {
          discarding = true;
          exchange.abort(RETRYING);
          settle({ committed: false, outcome, error: `response ${statusCode}${grpc !== undefined ? ` grpc-status ${grpc}` : ''}`, aborted: false });
          return;
        }
        committed = true;
        const out = responseHeaders(raw, req.responseHeaders, h2);
        if (req.setCookie !== undefined) out['set-cookie'] = [...cookieList(out['set-cookie']), req.setCookie];
        res.writeHead(statusCode, out);
        status = statusCode;
        grpcStatus = grpc;
        trailersOnly = h2 && grpc !== undefined ? grpcStatusTrailers(raw) : undefined;
      },
      data: (chunk) => {
        if (discarding) return true;
        bytes += chunk.length;
        if (res.write(chunk)) return true;
        res.once('drain', () => exchange.resume());
        return false;
      },
      end: (trailers) => {
        if (discarding) return;
        if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
        else if (trailersOnly) res.addTrailers(trailersOnly);
        res.end();
        const code = trailers['grpc-status'] ?? grpcStatus;
        settle({ committed: true, status, bytes, ...(code !== undefined ? { grpcStatus: code } : {}) });
      },
      error: (err) => {
        if (discarding) return;
        if (committed) {
          // The upstream reset mid-body: the client sees its stream reset too.
          res.destroy();
          settle({ committed: true, status, bytes, failed: perTryTimedOut ? 'per-try-timeout' : aborted ? 'aborted' : 'reset', error: err.message });
          return;
        }
        const outcome: TryOutcome = perTryTimedOut ? { kind: 'per-try-timeout' } : err instanceof UpstreamFailure ? { kind: err.failure } : { kind: 'reset' };
        settle({ committed: false, outcome, error: err.message, aborted });
      },
    });
    if (settled) return;
    req.started({
      abort: (reason) => {
        aborted = true;
        exchange.abort(reason);
      },
      resume: () => exchange.resume(),
    });
    if (req.perTryTimeoutMs !== undefined && req.perTryTimeoutMs > 0) {
      timer = setTimeout(() => {
        perTryTimedOut = true;
        exchange.abort(new Error('upstream per-try timeout'));
      }, req.perTryTimeoutMs);
    }
  });
}

const GRPC_STATUS_HEADERS: ReadonlySet<string> = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin']);
const NO_HEADERS: ReadonlySet<string> = new Set();

/**
 * The response headers sent to the client: hop-by-hop ones dropped, the route's header
 * operations applied, repeated `set-cookie` kept as separate fields (joining them would
 * break cookies). Over HTTP/2 the gRPC status of a "trailers-only" answer (status in the
 * headers, no body) is moved to the trailers: the client's stream cannot end with the
 * header frame here.
 */
function responseHeaders(raw: IncomingHeaders, ops: readonly L7HeaderOps[], h2: boolean): Record<string, string | string[]> {
  if (ops.length === 0) return relayedHeaders(raw, h2 ? GRPC_STATUS_HEADERS : NO_HEADERS);
  const cookies = raw['set-cookie'];
  const touchesCookies = ops.some((o) => mentions(o, 'set-cookie'));
  const headers = withoutHopByHop(headerMap(touchesCookies ? raw : { ...raw, 'set-cookie': undefined }));
  if (h2) for (const name of GRPC_STATUS_HEADERS) headers.delete(name);
  for (const o of ops) applyHeaderOps(headers, o);
  const out: Record<string, string | string[]> = Object.fromEntries(headers);
  if (!touchesCookies && cookies !== undefined) out['set-cookie'] = cookies;
  return out;
}

function mentions(ops: L7HeaderOps, name: string): boolean {
  const has = (names: Iterable<string>): boolean => [...names].some((n) => n.toLowerCase() === name);
  return has(ops.remove ?? []) || has(Object.keys(ops.set ?? {})) || has(Object.keys(ops.add ?? {}));
}

/** The gRPC status fields of a trailers-only response's headers, as trailers. */
function grpcStatusTrailers(headers: IncomingHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of GRPC_STATUS_HEADERS) {
    const v = firstValue(headers[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function cookieList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
