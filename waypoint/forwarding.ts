// The request headers a waypoint sends upstream (pure, apart from fresh ids): hop-by-hop
// headers dropped (RFC 9110 §7.6.1; also from relayed responses), then what Envoy adds
// and Istio users rely on:
//  - `x-forwarded-proto`: the client's scheme when absent (inside HBONE it is http);
//  - `x-forwarded-for`: the client's address appended, so the app behind a waypoint
//    still sees who called (the original client IP travels in the HBONE `forwarded`
//    header from the node proxy);
//  - `x-request-id`: a UUID when absent;
//  - W3C `traceparent` and B3 (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`): kept
//    when present, generated (not sampled) when absent, the two kept consistent.
import { randomUUID } from 'node:crypto';
import { isTraceparent, newTraceparent } from '../daemon/hbone/trace-parent.js';

/** Lowercase header name → value (several values of one header joined with ', '). */
export type Headers = Map<string, string>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'http2-settings']);

const NONE: ReadonlySet<string> = new Set();

/** Drops hop-by-hop headers and any named in `connection`; keeps `te: trailers` (gRPC needs it). */
export function withoutHopByHop(headers: ReadonlyMap<string, string>): Headers {
  const connection = headers.get('connection');
  const named = connection === undefined ? NONE : new Set(connection.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== ''));
  const out: Headers = new Map();
  for (const [name, value] of headers) {
    if (name.startsWith(':')) continue;
    if (HOP_BY_HOP.has(name) || named.has(name)) {
      if (name === 'te' && value.toLowerCase().split(',').some((t) => t.trim() === 'trailers')) out.set('te', 'trailers');
      continue;
    }
    out.set(name, value);
  }
  return out;
}

/**
 * A response's headers as relayed when no route edits them, in one pass: hop-by-hop
 * headers and those named in `connection` dropped, and any name in `drop`; repeated
 * `set-cookie` fields kept apart (joining them breaks cookies), other repeats joined.
 */
export function relayedHeaders(raw: Readonly<Record<string, string | string[] | undefined>>, drop: ReadonlySet<string>): Record<string, string | string[]> {
  const connection = raw.connection;
  const named = connection === undefined ? NONE : new Set(String(connection).split(',').map((s) => s.trim().toLowerCase()));
  const out: Record<string, string | string[]> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined || name.startsWith(':') || HOP_BY_HOP.has(name) || named.has(name) || drop.has(name)) continue;
    out[name] = Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : value;
  }
  return out;
}

export interface ForwardingContext {
  /** The original client's IP. */
  clientIp: string;
  scheme: 'http' | 'https';
}

/** Adds the forwarding and tracing headers to a (hop-by-hop free) header record, in place. */
export function addForwardingHeaders(headers: Headers, ctx: ForwardingContext): Headers {
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', ctx.scheme);
  const xff = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', xff ? `${xff}, ${ctx.clientIp}` : ctx.clientIp);
  if (!headers.get('x-request-id')) headers.set('x-request-id', randomUUID());
  addTraceHeaders(headers);
  return headers;
}

/** Ensures traceparent and B3 headers exist and agree (an incoming one of either kind wins). */
export function addTraceHeaders(headers: Headers): void {
  const setIfAbsent = (name: string, value: string): void => {
    if (!headers.has(name)) headers.set(name, value);
  };
  const tp = headers.get('traceparent');
  if (tp && isTraceparent(tp)) {
    const [, traceId, spanId, flags] = tp.split('-');
    setIfAbsent('x-b3-traceid', traceId!);
    setIfAbsent('x-b3-spanid', spanId!);
    setIfAbsent('x-b3-sampled', (parseInt(flags!, 16) & 1) === 1 ? '1' : '0');
    return;
  }
  const b3Trace = headers.get('x-b3-traceid');
  const b3Span = headers.get('x-b3-spanid');
  if (b3Trace && b3Span && /^[0-9a-f]{16}([0-9a-f]{16})?$/.test(b3Trace) && /^[0-9a-f]{16}$/.test(b3Span)) {
    const sampled = headers.get('x-b3-sampled') === '1' ? '01' : '00';
    headers.set('traceparent', `00-${b3Trace.padStart(32, '0')}-${b3Span}-${sampled}`);
    return;
  }
  const fresh = newTraceparent();
  const [, traceId, spanId] = fresh.split('-');
  headers.set('traceparent', fresh);
  headers.set('x-b3-traceid', traceId!);
  headers.set('x-b3-spanid', spanId!);
  headers.set('x-b3-sampled', '0');
}
