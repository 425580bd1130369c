// The request headers of an outbound HBONE CONNECT. Pure apart from the random
// traceparent generated when the caller gives none.
import type { OutgoingHttpHeaders } from 'node:http2';
import { formatForwardedFor, type ForwardedFor } from './forwarded.js';
import { formatHostPort, type SocketAddress } from './socket-address.js';
import { newTraceparent } from './trace-parent.js';

export interface ConnectHeaderInput {
  authority: SocketAddress;
  forwardedFor?: ForwardedFor;
  baggage?: string;
  traceparent?: string;
}

export function connectHeaders(input: ConnectHeaderInput): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ':method': 'CONNECT',
    ':authority': formatHostPort(input.authority),
    traceparent: input.traceparent ?? newTraceparent(),
  };
  if (input.forwardedFor) headers.forwarded = formatForwardedFor(input.forwardedFor);
  if (input.baggage !== undefined && input.baggage !== '') headers.baggage = input.baggage;
  return headers;
}
