// What the server answers 400 to, and what it hands on, from the CONNECT headers alone.
import test from 'ava';
import type { IncomingHttpHeaders } from 'node:http2';
import { authorityMatchesLocal } from '../../../daemon/hbone/authority.js';
import { checkConnectRequest } from '../../../daemon/hbone/connect-request.js';
import { connectHeaders } from '../../../daemon/hbone/connect-headers.js';
import { isTraceparent } from '../../../daemon/hbone/trace-parent.js';

const LOCAL = '10.244.2.2';
const h = (headers: Record<string, string | string[]>): IncomingHttpHeaders => headers;

const CASES: [string, IncomingHttpHeaders, { ok: boolean; reason?: RegExp }][] = [
  ['CONNECT to the local pod', h({ ':method': 'CONNECT', ':authority': '10.244.2.2:8080' }), { ok: true }],
  ['GET', h({ ':method': 'GET', ':authority': '10.244.2.2:8080', ':path': '/' }), { ok: false, reason: /method GET/ }],
  ['no authority', h({ ':method': 'CONNECT' }), { ok: false, reason: /authority null/ }],
  ['host name authority', h({ ':method': 'CONNECT', ':authority': 'httpbin:8000' }), { ok: false, reason: /not <ip>:<port>/ }],
  ['port 0', h({ ':method': 'CONNECT', ':authority': '10.244.2.2:0' }), { ok: false, reason: /not <ip>:<port>/ }],
  ['another pod', h({ ':method': 'CONNECT', ':authority': '10.244.2.3:8080' }), { ok: false, reason: /may not be reached through 10\.244\.2\.2/ }],
];

for (const [name, headers, expected] of CASES) {
  test(`checkConnectRequest: ${name}`, (t) => {
    const result = checkConnectRequest(headers, LOCAL, authorityMatchesLocal);
    t.is(result.ok, expected.ok);
    if (!result.ok) {
      t.is(result.status, 400);
      t.regex(result.reason, expected.reason!);
    }
  });
}

test('checkConnectRequest passes on forwarded, baggage and traceparent', (t) => {
  const result = checkConnectRequest(h({
    ':method': 'CONNECT', ':authority': '10.244.2.2:8080', forwarded: 'for="10.244.1.5:43122"',
    baggage: ['k8s.namespace.name=default', 'service.name=sleep'], traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  }), LOCAL, authorityMatchesLocal);
  t.deepEqual(result, {
    ok: true,
    authority: { ip: '10.244.2.2', port: 8080 },
    forwardedFor: { ip: '10.244.1.5', port: 43122 },
    baggage: 'k8s.namespace.name=default,service.name=sleep',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  });
});

test('an injected authorityAllowed (waypoint: any VIP) replaces the IP check', (t) => {
  const anyVip = (): boolean => true;
  t.like(checkConnectRequest(h({ ':method': 'CONNECT', ':authority': '10.96.0.10:8000' }), LOCAL, anyVip), { ok: true });
  t.like(checkConnectRequest(h({ ':method': 'CONNECT', ':authority': 'bad' }), LOCAL, anyVip), { ok: false }, 'parsing still applies');
});

test('connectHeaders writes what checkConnectRequest reads', (t) => {
  const headers = connectHeaders({
    authority: { ip: 'fd00::a', port: 8080 }, forwardedFor: { ip: '10.244.1.5', port: 1234 }, baggage: 'service.name=sleep',
  });
  t.is(headers[':method'], 'CONNECT');
  t.is(headers[':authority'], '[fd00::a]:8080');
  t.is(headers.forwarded, 'for="10.244.1.5:1234"');
  t.is(headers.baggage, 'service.name=sleep');
  t.true(isTraceparent(String(headers.traceparent)));
  t.is(headers[':path'], undefined, 'CONNECT carries no :path or :scheme');
  const back = checkConnectRequest(h(headers as Record<string, string>), 'fd00::a', authorityMatchesLocal);
  t.like(back, { ok: true, authority: { ip: 'fd00::a', port: 8080 }, forwardedFor: { ip: '10.244.1.5', port: 1234 } });
  t.false('baggage' in connectHeaders({ authority: { ip: '10.0.0.1', port: 1 }, baggage: '' }));
  t.not(connectHeaders({ authority: { ip: '10.0.0.1', port: 1 } }).traceparent, connectHeaders({ authority: { ip: '10.0.0.1', port: 1 } }).traceparent);
});
