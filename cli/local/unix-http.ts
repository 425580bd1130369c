// HTTP over a UNIX socket: the CLI talks to the runtime (runtime.sock) and to node
// daemons (admin.sock) this way, so nothing listens on a TCP port of the host.
import http from 'node:http';
import { AmbitError, type ErrorCode } from '../../api/errors.js';

export interface UnixResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface UnixRequestOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs?: number;
}

/** One request; rejects (AMBIT_ERR_LOCAL_RUNTIME) when the socket cannot be reached or the timeout passes. */
export function unixRequest(socketPath: string, urlPath: string, opts: UnixRequestOptions = {}): Promise<UnixResponse> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      path: urlPath,
      method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: opts.timeoutMs ?? 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `no answer from ${socketPath} ${urlPath} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', (err) => reject(err instanceof AmbitError ? err : new AmbitError('AMBIT_ERR_LOCAL_RUNTIME', `cannot reach ${socketPath}: ${err.message}`, { cause: err })));
    req.end(payload);
  });
}

/** The body of an error answer: {"code", "message"} (runtime API) or plain text. */
export function errorOf(res: UnixResponse, fallback: ErrorCode = 'AMBIT_ERR_LOCAL_RUNTIME'): AmbitError {
  try {
    const parsed = JSON.parse(res.body) as { code?: ErrorCode; message?: string };
    if (typeof parsed.message === 'string') return new AmbitError(parsed.code ?? fallback, parsed.message);
  } catch {
    // plain text
  }
  return new AmbitError(fallback, `HTTP ${res.status}: ${res.body.trim()}`);
}
