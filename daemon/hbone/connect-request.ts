// What an HBONE server checks in a CONNECT request's headers before anything else
// happens: the method, a parseable `<ip>:<port>` authority that this connection may
// serve, and the optional forwarded / baggage / traceparent headers. Pure.
import type { IncomingHttpHeaders } from 'node:http2';
import { parseAuthority, type AuthorityAllowed } from './authority.js';
import { parseForwardedFor, type ForwardedFor } from './forwarded.js';
import type { SocketAddress } from './socket-address.js';

export interface ConnectRequestInfo {
  authority: SocketAddress;
  forwardedFor?: ForwardedFor;
  baggage?: string;
  traceparent?: string;
}

export type ConnectCheck =
  | ({ ok: true } & ConnectRequestInfo)
  | { ok: false; status: 400; reason: string };

function single(value: string | string[] | undefined, join: string): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(join) : value;
}

export function checkConnectRequest(
  headers: IncomingHttpHeaders, localAddress: string, authorityAllowed: AuthorityAllowed,
): ConnectCheck {
  const method = headers[':method'];
  if (method !== 'CONNECT') return { ok: false, status: 400, reason: `method ${String(method)} is not CONNECT` };
  const rawAuthority = headers[':authority'];
  const authority = parseAuthority(rawAuthority);
  if (!authority) {
    return { ok: false, status: 400, reason: `authority ${JSON.stringify(rawAuthority ?? null)} is not <ip>:<port>` };
  }
  if (!authorityAllowed(authority, localAddress)) {
    return { ok: false, status: 400, reason: `authority ${rawAuthority!} may not be reached through ${localAddress}` };
  }
  const info: ConnectCheck = { ok: true, authority };
  const forwardedFor = parseForwardedFor(single(headers.forwarded, ', '));
  if (forwardedFor) info.forwardedFor = forwardedFor;
  const baggage = single(headers.baggage, ',');
  if (baggage !== undefined) info.baggage = baggage;
  const traceparent = single(headers.traceparent, ',');
  if (traceparent !== undefined) info.traceparent = traceparent;
  return info;
}
