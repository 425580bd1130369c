// The headers the waypoint forwards: hop-by-hop removal (RFC 9110 §7.6.1), relayed
// response headers, and the forwarding and tracing headers Envoy adds.
import test from 'ava';
import { addForwardingHeaders, addTraceHeaders, relayedHeaders, withoutHopByHop } from '../../../waypoint/forwarding.js';

const HOP_CASES: { name: string; in: [string, string][]; out: [string, string][] }[] = [
  { name: 'end-to-end headers pass', in: [['accept', '*/*'], ['x-a', '1']], out: [['accept', '*/*'], ['x-a', '1']] },
  {
    name: 'the fixed hop-by-hop set is dropped',
    in: [['connection', 'keep-alive'], ['keep-alive', 'timeout=5'], ['proxy-connection', 'x'], ['transfer-encoding', 'chunked'], ['upgrade', 'h2c'], ['trailer', 'x'], ['http2-settings', 'AAA'], ['x-a', '1']],
    out: [['x-a', '1']],
  },
  { name: 'headers named in connection are dropped (any case, with spaces)', in: [['connection', 'X-Secret , close'], ['x-secret', 's'], ['x-a', '1']], out: [['x-a', '1']] },
  { name: 'te: trailers is kept (gRPC needs it)', in: [['te', 'trailers']], out: [['te', 'trailers']] },
  { name: 'te with trailers among others keeps only trailers', in: [['te', 'gzip, trailers']], out: [['te', 'trailers']] },
  { name: 'te without trailers is dropped', in: [['te', 'gzip']], out: [] },
  { name: 'pseudo-headers are dropped', in: [[':authority', 'a'], [':path', '/'], ['x-a', '1']], out: [['x-a', '1']] },
];

for (const c of HOP_CASES) {
  test(`withoutHopByHop: ${c.name}`, (t) => {
    t.deepEqual([...withoutHopByHop(new Map(c.in))], c.out);
  });
}

const RELAY_CASES: { name: string; in: Record<string, string | string[] | undefined>; drop?: string[]; out: Record<string, string | string[]> }[] = [
  { name: 'plain headers pass', in: { 'content-type': 'text/plain', 'content-length': '5' }, out: { 'content-type': 'text/plain', 'content-length': '5' } },
  { name: 'hop-by-hop and connection-named headers are dropped', in: { connection: 'x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'x-a': 'b' }, out: { 'x-a': 'b' } },
  { name: 'repeated set-cookie stays a list', in: { 'set-cookie': ['a=1', 'b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT'] }, out: { 'set-cookie': ['a=1', 'b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT'] } },
  { name: 'other repeats are joined', in: { vary: ['accept', 'origin'] }, out: { vary: 'accept, origin' } },
  { name: 'names in drop are dropped', in: { 'grpc-status': '0', 'content-type': 'application/grpc' }, drop: ['grpc-status'], out: { 'content-type': 'application/grpc' } },
  { name: 'undefined values are skipped', in: { 'x-a': undefined, 'x-b': '1' }, out: { 'x-b': '1' } },
];

for (const c of RELAY_CASES) {
  test(`relayedHeaders: ${c.name}`, (t) => {
    t.deepEqual(relayedHeaders(c.in, new Set(c.drop ?? [])), c.out);
  });
}

test('addForwardingHeaders: x-forwarded-proto set when absent, kept when present', (t) => {
  t.is(addForwardingHeaders(new Map(), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-forwarded-proto'), 'http');
  t.is(addForwardingHeaders(new Map([['x-forwarded-proto', 'https']]), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-forwarded-proto'), 'https');
});

test('addForwardingHeaders: the client address is appended to x-forwarded-for', (t) => {
  t.is(addForwardingHeaders(new Map(), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-forwarded-for'), '10.0.0.1');
  t.is(addForwardingHeaders(new Map([['x-forwarded-for', '1.2.3.4']]), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-forwarded-for'), '1.2.3.4, 10.0.0.1');
});

test('addForwardingHeaders: x-request-id is a fresh UUID when absent (or empty), kept when present', (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const a = addForwardingHeaders(new Map(), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-request-id')!;
  const b = addForwardingHeaders(new Map([['x-request-id', '']]), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-request-id')!;
  t.regex(a, uuid);
  t.regex(b, uuid);
  t.not(a, b);
  t.is(addForwardingHeaders(new Map([['x-request-id', 'mine']]), { clientIp: '10.0.0.1', scheme: 'http' }).get('x-request-id'), 'mine');
});

test('addTraceHeaders: a valid traceparent is kept and B3 derived from it', (t) => {
  const h = new Map([['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']]);
  addTraceHeaders(h);
  t.is(h.get('traceparent'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  t.is(h.get('x-b3-traceid'), '0af7651916cd43dd8448eb211c80319c');
  t.is(h.get('x-b3-spanid'), 'b7ad6b7169203331');
  t.is(h.get('x-b3-sampled'), '1');
});

test('addTraceHeaders: B3 alone gives a matching traceparent (64-bit trace ids left-padded)', (t) => {
  const h = new Map([['x-b3-traceid', '8448eb211c80319c'], ['x-b3-spanid', 'b7ad6b7169203331'], ['x-b3-sampled', '1']]);
  addTraceHeaders(h);
  t.is(h.get('traceparent'), '00-00000000000000008448eb211c80319c-b7ad6b7169203331-01');
});

test('addTraceHeaders: none, or a malformed one, gives a fresh unsampled pair that agree', (t) => {
  for (const start of [new Map<string, string>(), new Map([['traceparent', 'garbage']])]) {
    addTraceHeaders(start);
    const [, trace, span, flags] = start.get('traceparent')!.split('-');
    t.is(flags, '00');
    t.is(start.get('x-b3-traceid'), trace);
    t.is(start.get('x-b3-spanid'), span);
    t.is(start.get('x-b3-sampled'), '0');
  }
});
