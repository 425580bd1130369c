// SPIFFE ids out of Node's subjectAltName rendering.
import test from 'ava';
import { hasSpiffeIdentity, peerIdentityIn, uriSans } from '../../../daemon/hbone/spiffe-san.js';

const SLEEP = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'sleep' };

test('uriSans picks the URI entries, unquoting JSON-escaped values', (t) => {
  t.deepEqual(uriSans('URI:spiffe://cluster.local/ns/default/sa/sleep'), ['spiffe://cluster.local/ns/default/sa/sleep']);
  t.deepEqual(uriSans('DNS:a.example, URI:spiffe://td/ns/a/sa/b, IP Address:10.0.0.1, URI:https://x'), ['spiffe://td/ns/a/sa/b', 'https://x']);
  t.deepEqual(uriSans('URI:"spiffe://td/ns/a,b/sa/c", DNS:x'), ['spiffe://td/ns/a,b/sa/c']);
  t.deepEqual(uriSans('DNS:"evil, URI:spiffe://td/ns/a/sa/b"'), [], 'a quoted comma cannot smuggle a URI entry');
  t.deepEqual(uriSans(''), []);
  t.deepEqual(uriSans(undefined), []);
});

test('hasSpiffeIdentity requires the exact expected URI', (t) => {
  t.true(hasSpiffeIdentity('URI:spiffe://cluster.local/ns/default/sa/sleep', SLEEP));
  t.true(hasSpiffeIdentity('DNS:x, URI:spiffe://cluster.local/ns/default/sa/sleep', SLEEP));
  t.false(hasSpiffeIdentity('URI:spiffe://cluster.local/ns/default/sa/sleeper', SLEEP));
  t.false(hasSpiffeIdentity('URI:spiffe://other.local/ns/default/sa/sleep', SLEEP));
  t.false(hasSpiffeIdentity('DNS:spiffe://cluster.local/ns/default/sa/sleep', SLEEP), 'only URI SANs count');
  t.false(hasSpiffeIdentity(undefined, SLEEP));
});

test('peerIdentityIn: exactly one SPIFFE id, in the trust domain', (t) => {
  t.deepEqual(peerIdentityIn('URI:spiffe://cluster.local/ns/default/sa/sleep', 'cluster.local'),
    { ok: true, identity: SLEEP, uri: 'spiffe://cluster.local/ns/default/sa/sleep' });
  t.like(peerIdentityIn('URI:https://x, URI:spiffe://cluster.local/ns/default/sa/sleep', 'cluster.local'), { ok: true });
  t.like(peerIdentityIn('URI:spiffe://other.domain/ns/default/sa/sleep', 'cluster.local'), { ok: false });
  t.like(peerIdentityIn('URI:https://example.com', 'cluster.local'), { ok: false });
  t.like(peerIdentityIn('URI:spiffe://cluster.local/workload/x', 'cluster.local'), { ok: false });
  t.like(peerIdentityIn('URI:spiffe://cluster.local/ns/a/sa/b, URI:spiffe://cluster.local/ns/c/sa/d', 'cluster.local'), { ok: false });
  t.like(peerIdentityIn(undefined, 'cluster.local'), { ok: false });
});
