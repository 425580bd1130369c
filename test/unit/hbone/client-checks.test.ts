// Client-side pure pieces: the server identity check, dial error classification, pool keys.
import test from 'ava';
import type { PeerCertificate } from 'node:tls';
import { dialError, serverIdentityCheck } from '../../../daemon/hbone/dial.js';
import { HboneError, isHboneError } from '../../../daemon/hbone/hbone-error.js';
import { poolKey } from '../../../daemon/hbone/pool-key.js';

const HTTPBIN = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'httpbin' };
const SLEEP = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'sleep' };
const cert = (subjectaltname: string): PeerCertificate => ({ subjectaltname } as PeerCertificate);

test('serverIdentityCheck accepts the expected SAN and names both ids otherwise', (t) => {
  const check = serverIdentityCheck(HTTPBIN);
  t.is(check('10.0.0.1', cert('URI:spiffe://cluster.local/ns/default/sa/httpbin')), undefined);
  const err = check('10.0.0.1', cert('URI:spiffe://cluster.local/ns/default/sa/reviews'));
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_IDENTITY_MISMATCH'));
  t.regex(err!.message, /sa\/reviews is not the expected spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin/);
  t.regex(check('10.0.0.1', cert(''))!.message, /no URI SAN/);
  t.truthy(check('httpbin', cert('DNS:httpbin')), 'a matching host name is irrelevant');
});

test('dialError: TCP-phase failures are CONNECT, handshake-phase ones TLS, ours pass through', (t) => {
  t.is(dialError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'tcp', '10.0.0.1:15008').code, 'AMBIT_ERR_HBONE_CONNECT');
  t.is(dialError(new Error('self-signed certificate'), 'tls', '10.0.0.1:15008').code, 'AMBIT_ERR_HBONE_TLS');
  const mismatch = new HboneError('AMBIT_ERR_HBONE_IDENTITY_MISMATCH', 'x');
  t.is(dialError(mismatch, 'tls', 'a'), mismatch);
  t.is(dialError('string', 'tcp', 'a').message, 'connect to a failed: string');
});

test('poolKey separates source, destination identity and address', (t) => {
  const base = poolKey(SLEEP, HTTPBIN, { ip: '10.0.0.1', port: 15008 });
  t.is(base, 'spiffe://cluster.local/ns/default/sa/sleep spiffe://cluster.local/ns/default/sa/httpbin 10.0.0.1:15008');
  t.not(poolKey(HTTPBIN, HTTPBIN, { ip: '10.0.0.1', port: 15008 }), base);
  t.not(poolKey(SLEEP, SLEEP, { ip: '10.0.0.1', port: 15008 }), base);
  t.not(poolKey(SLEEP, HTTPBIN, { ip: '10.0.0.2', port: 15008 }), base);
  t.is(poolKey(SLEEP, HTTPBIN, { ip: 'fd00::1', port: 15008 }).split(' ')[2], '[fd00::1]:15008');
});

test('HboneError carries code and status', (t) => {
  const err = new HboneError('AMBIT_ERR_HBONE_REJECTED', 'denied', { status: 401 });
  t.is(err.status, 401);
  t.is(err.name, 'HboneError');
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_REJECTED'));
  t.false(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'));
  t.false(isHboneError(new Error('x')));
});
