// The answers the waypoint gives itself (Envoy's "local replies"), and what every
// request's outcome records for its metric sample and access-log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Workload } from '../api/model.js';

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;

/** How a request ended, for its metric sample and access-log line. */
export interface Outcome {
  status: number;
  /** Envoy's response flags ('-' for none). */
  flags: string;
  route?: string;
  upstream?: string;
  destination?: Workload;
  service?: { hostname: string; name: string; namespace: string };
  grpcStatus?: string;
  /** Tries sent upstream (retries + 1), as Envoy's UPSTREAM_REQUEST_ATTEMPT_COUNT. */
  attempts?: number;
  error?: string;
}

export interface ByteCounts {
  /** Request body bytes forwarded, response body bytes sent. */
  request: number;
  response: number;
}

/** Envoy's local reply bodies users recognise. */
export const UPSTREAM_FAILURE_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure';
export const OVERFLOW_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';
export const TIMEOUT_BODY = 'upstream request timeout';

/** A whole answer (headers and body); a response already started is reset instead. */
export function respond(res: Response, status: number, headers: Readonly<Record<string, string>>, body: string, bytes: ByteCounts): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  bytes.response += Buffer.byteLength(body);
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(Buffer.from(body));
}

/** A gRPC answer without a body (trailers-only): HTTP 200 with grpc-status; over HTTP/1.1 in the headers. */
export function respondGrpc(res: Response, code: number, message: string, h2: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = { 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) };
  if (h2) {
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.addTrailers(status);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/grpc', 'content-length': '0', ...status });
  res.end();
}
