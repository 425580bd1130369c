import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { isAmbitError } from '../../../api/errors.js';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { readCertificate } from '../../../controller/ca/cert-info.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { createSelfSignedRoot } from '../../../controller/ca/root-create.js';
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, resolveTtlSeconds } from '../../../controller/ca/ttl.js';

const URI = 'spiffe://cluster.local/ns/default/sa/httpbin';
const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);
const root = createSelfSignedRoot({ trustDomain: 'cluster.local', now: new Date(T0) });
const material = { source: 'self-signed' as const, chain: [readCertificate(root.certDer)], key: root.key };
const { csrPem } = generateKeyAndCsr(URI);

function leafAt(nowMs: number, ttl?: number): X509Certificate {
  const ca = createCertificateAuthority(material, { trustDomain: 'cluster.local', now: () => nowMs });
  return new X509Certificate(ca.sign(csrPem, URI, ttl)[0]!);
}

const seconds = (date: string): number => new Date(date).getTime() / 1000;

test('resolveTtlSeconds: 0 and undefined give 24 h; in-range values pass through', (t) => {
  t.is(resolveTtlSeconds(undefined), 24 * 3600);
  t.is(resolveTtlSeconds(0), DEFAULT_TTL_SECONDS);
  t.is(resolveTtlSeconds(1), 1);
  t.is(resolveTtlSeconds(3600), 3600);
  t.is(resolveTtlSeconds(MAX_TTL_SECONDS), 90 * 24 * 3600);
});

for (const bad of [MAX_TTL_SECONDS + 1, 365 * 24 * 3600, -1, -86400, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
  test(`resolveTtlSeconds refuses ${bad} with AMBIT_ERR_CA_TTL`, (t) => {
    const err = t.throws(() => resolveTtlSeconds(bad));
    t.true(isAmbitError(err, 'AMBIT_ERR_CA_TTL'));
  });
}

test('default lifetime: notBefore = now - 1 min, notAfter = now + 24 h', (t) => {
  const leaf = leafAt(T0 + 3600_000);
  t.is(seconds(leaf.validFrom), (T0 + 3600_000) / 1000 - 60);
  t.is(seconds(leaf.validTo), (T0 + 3600_000) / 1000 + 24 * 3600);
});

test('requested lifetime is honoured, up to 90 days', (t) => {
  t.is(seconds(leafAt(T0, 3600).validTo), T0 / 1000 + 3600);
  t.is(seconds(leafAt(T0, MAX_TTL_SECONDS).validTo), T0 / 1000 + MAX_TTL_SECONDS);
});

test('sign refuses a lifetime over 90 days or negative', (t) => {
  const ca = createCertificateAuthority(material, { trustDomain: 'cluster.local', now: () => T0 });
  for (const ttl of [MAX_TTL_SECONDS + 1, -5]) {
    const err = t.throws(() => ca.sign(csrPem, URI, ttl));
    t.true(isAmbitError(err, 'AMBIT_ERR_CA_TTL'), `ttl ${ttl}`);
  }
});

test("a leaf never outlives the issuer: notAfter is capped at the root's notAfter", (t) => {
  const rootNotAfter = material.chain[0]!.notAfter.getTime();
  const leaf = leafAt(rootNotAfter - 3600_000, 30 * 24 * 3600);
  t.is(seconds(leaf.validTo), rootNotAfter / 1000);
});

test('an expired CA refuses to sign with AMBIT_ERR_CA_ROOT', (t) => {
  const ca = createCertificateAuthority(material, {
    trustDomain: 'cluster.local', now: () => material.chain[0]!.notAfter.getTime() + 1000,
  });
  const err = t.throws(() => ca.sign(csrPem, URI));
  t.true(isAmbitError(err, 'AMBIT_ERR_CA_ROOT'));
  t.regex(err.message, /expired/);
});
