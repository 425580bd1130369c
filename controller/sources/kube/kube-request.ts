// Plain JSON requests against the API server, authenticated through the KubeConfig:
// GET for lists, PATCH for server-side apply. Used instead of client-node's typed
// calls: those deserialize into model classes (timestamps become Date objects, unknown
// fields are dropped), while the config store wants the objects exactly as the API
// server serves them, and an apply sends exactly the fields the controller owns.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AmbitError, type ErrorCode } from '../../../api/errors.js';
import { isRecord } from '../../config/resource.js';

/** A failed API request; statusCode is the HTTP status (or a watch Status code) when there was one. */
export class KubeRequestError extends AmbitError {
  readonly statusCode: number | undefined;

  constructor(message: string, statusCode?: number, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'AMBIT_ERR_KUBE_WATCH', message, options);
    this.name = 'KubeRequestError';
    this.statusCode = statusCode;
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof KubeRequestError) return err.statusCode;
  if (isRecord(err) || err instanceof Error) {
    // client-node's Watch rejects with an Error carrying `statusCode`.
    const code = (err as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

export interface GetJsonOptions {
  query?: Record<string, string>;
  signal?: AbortSignal;
  /** Socket idle timeout; the request fails if the server goes quiet this long. */
  timeoutMs?: number;
}

export interface KubeRequestOptions extends GetJsonOptions {
  method: 'GET' | 'PATCH';
  /** Request body, sent as is with `contentType`. */
  body?: string;
  contentType?: string;
  /** The code failures carry; default AMBIT_ERR_KUBE_WATCH. */
  code?: ErrorCode;
}

export async function kubeGetJson(kc: KubeConfig, path: string, options: GetJsonOptions = {}): Promise<unknown> {
  return kubeRequestJson(kc, path, { ...options, method: 'GET' });
}

/** One request whose answer is JSON; a non-2xx answer rejects with KubeRequestError carrying the status. */
export async function kubeRequestJson(kc: KubeConfig, path: string, options: KubeRequestOptions): Promise<unknown> {
  const { method, code } = options;
  const fail = (message: string, status?: number, cause?: unknown): KubeRequestError =>
    new KubeRequestError(`${method} ${path}: ${message}`, status, { cause, code });
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeRequestError('Kubernetes client configuration has no current cluster', undefined, { code });
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);

  const headers: Record<string, string | number> = { Accept: 'application/json' };
  if (options.body !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/json';
    headers['Content-Length'] = Buffer.byteLength(options.body);
  }
  const reqOptions: https.RequestOptions = { method, headers };
  await kc.applyToHTTPSOptions(reqOptions); // auth headers, TLS material and a fresh agent
  const agent = reqOptions.agent;
  const send = url.protocol === 'https:' ? https.request : http.request;

  try {
    return await new Promise<unknown>((resolve, reject) => {
      const req = send(url, { ...reqOptions, signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch (err) {
            if (status >= 200 && status < 300) {
              reject(fail('response is not JSON', status, err));
              return;
            }
          }
          if (status >= 200 && status < 300) {
            resolve(body);
            return;
          }
          const message = isRecord(body) && typeof body.message === 'string' ? body.message : (res.statusMessage ?? '');
          reject(fail(`HTTP ${status} ${message}`.trim(), status));
        });
      });
      req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(fail('timed out')));
      req.on('error', (err) => reject(err instanceof KubeRequestError ? err : fail(err.message, undefined, err)));
      req.end(options.body);
    });
  } finally {
    if (agent instanceof http.Agent) agent.destroy();
  }
}
