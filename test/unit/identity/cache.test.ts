// IdentityManager: caching, request sharing, and what it accepts from the CA.
import test from 'ava';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isAmbitError, AmbitError } from '../../../api/errors.js';
import { silentLogger } from '../../../api/log.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { IdentityManager } from '../../../daemon/identity/identity-manager.js';
import { HTTPBIN, REVIEWS, SLEEP, rejection, settle, setup } from './support.js';

test('a certificate is fetched once, then served from the cache; it carries a fresh P-256 key and the real chain', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const start = s.clock.now();
  const cert = await s.manager.certificate(HTTPBIN);
  t.is(await s.manager.certificate(HTTPBIN), cert);
  t.is(s.manager.cached(HTTPBIN), cert);
  t.is(s.fake.calls.length, 1);

  t.is(cert.spiffeId, 'spiffe://cluster.local/ns/default/sa/httpbin');
  t.deepEqual(cert.identity, HTTPBIN);
  t.is(cert.chainPem.length, 2);
  const leaf = new X509Certificate(cert.chainPem[0]!);
  t.is(cert.serial, leaf.serialNumber);
  t.is(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/httpbin');
  t.is(cert.notBefore.getTime(), start - 60_000, 'the CA backdates notBefore by a minute');
  t.is(cert.notAfter.getTime(), start + 3600_000);
  t.is(cert.rootsPem.trim(), s.fake.ca.rootPem.trim());
  t.is(s.manager.rootsPem(), cert.rootsPem);
  const key = createPrivateKey(cert.keyPem);
  t.is(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  t.true(leaf.checkPrivateKey(key));

  const other = await s.manager.certificate(SLEEP);
  t.not(other.keyPem, cert.keyPem, 'one key per certificate');
  t.is(s.manager.cached(REVIEWS), undefined);
});

test('concurrent requests for one identity share one CA request; other identities get their own', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const release = s.fake.hold();
  const waiting = Array.from({ length: 10 }, () => s.manager.certificate(HTTPBIN));
  const other = s.manager.certificate(SLEEP);
  await settle();
  t.is(s.fake.calls.length, 2);
  t.is(s.manager.cached(HTTPBIN), undefined);
  t.is(s.manager.snapshot().find((r) => r.identity.endsWith('/sa/httpbin'))?.state, 'fetching');
  release();
  const certs = await Promise.all(waiting);
  t.true(certs.every((c) => c === certs[0]));
  t.not((await other).serial, certs[0]!.serial);
  t.is(s.fake.calls.length, 2);
});

test('a refusal is surfaced with its code and not cached: the next caller asks again', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.fake.failWith = new AmbitError('AMBIT_ERR_CA_NOT_AUTHORIZED', 'node node-1 may not have identity httpbin');
  const err = await rejection(s.manager.certificate(HTTPBIN));
  t.true(isAmbitError(err, 'AMBIT_ERR_CA_NOT_AUTHORIZED'), err.message);
  t.is(s.manager.snapshot()[0]?.state, 'failed');
  t.is(s.manager.snapshot()[0]?.lastError?.code, 'AMBIT_ERR_CA_NOT_AUTHORIZED');

  s.fake.failWith = new Error('connection refused');
  const plain = await rejection(s.manager.certificate(HTTPBIN));
  t.true(isAmbitError(plain, 'AMBIT_ERR_CERT_FETCH'), plain.message);
  t.regex(plain.message, /connection refused/);
  t.is((plain as AmbitError).cause, s.fake.failWith);

  s.fake.failWith = undefined;
  const cert = await s.manager.certificate(HTTPBIN);
  t.is(s.fake.calls.length, 3);
  t.is(s.manager.snapshot()[0]?.state, 'valid');
  t.is(s.manager.snapshot()[0]?.lastError, undefined);
  t.is(s.manager.cached(HTTPBIN), cert);
});

test('a chain that is not for the identity, not for the key, or has no root is refused', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const cases: [string, (chain: string[]) => string[], RegExp][] = [
    ['another identity', () => s.fake.ca.sign(generateKeyAndCsr(SLEEP).csrPem, SLEEP, 60), /names spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep/],
    ['another key', () => s.fake.ca.sign(generateKeyAndCsr(HTTPBIN).csrPem, HTTPBIN, 60), /does not match the private key/],
    ['leaf only', (chain) => chain.slice(0, 1), /got 1 certificate/],
    ['garbage', (chain) => [chain[0]!, 'not a certificate'], /does not parse/],
    ['root of another CA', (chain) => [chain[0]!, chain[0]!], /not signed by certificate 1/],
  ];
  for (const [name, tamper, message] of cases) {
    s.fake.tamper = tamper;
    const err = await rejection(s.manager.certificate(HTTPBIN));
    t.true(isAmbitError(err, 'AMBIT_ERR_CERT_FETCH'), `${name}: ${err.message}`);
    t.regex(err.message, message, name);
    t.is(s.manager.cached(HTTPBIN), undefined, name);
  }
});

test('a request the CA never answers fails after the fetch timeout', async (t) => {
  const s = setup({ fetchTimeoutMs: 5000 });
  t.teardown(s.cleanup);
  s.fake.hold();
  const pending = rejection(s.manager.certificate(HTTPBIN));
  await s.clock.advance(5000);
  const err = await pending;
  t.true(isAmbitError(err, 'AMBIT_ERR_CERT_FETCH'));
  t.regex(err.message, /did not answer .* within 5000 ms/);
});

test('invalid options are refused with AMBIT_ERR_CONFIG', (t) => {
  for (const opts of [{ rotateAt: 1 }, { rotateAt: 0 }, { backoff: { initialMs: 0, maxMs: 10 } }, { backoff: { initialMs: 10, maxMs: 5 } }, { fetchTimeoutMs: 0 }]) {
    const err = t.throws(() => new IdentityManager({
      node: 'node-1', fetchCertificate: () => Promise.resolve([]), log: silentLogger(), ...opts,
    }));
    t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'), JSON.stringify(opts));
  }
});
