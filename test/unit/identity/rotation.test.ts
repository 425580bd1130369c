// IdentityManager: renewal at half the lifetime, retries with backoff while the old
// certificate is served, and no certificate past its notAfter. Virtual time throughout.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import type { WorkloadCertificate } from '../../../daemon/identity/workload-certificate.js';
import { HTTPBIN, metricValue, rejection, settle, setup } from './support.js';

function halfLife(cert: WorkloadCertificate): number {
  return cert.notBefore.getTime() + (cert.notAfter.getTime() - cert.notBefore.getTime()) / 2;
}

test('a certificate is renewed at half its lifetime, with a new key, and swapped in whole', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const first = await s.manager.certificate(HTTPBIN);
  const half = halfLife(first);
  t.is(s.manager.snapshot()[0]?.rotatesAt, new Date(half).toISOString());

  await s.clock.advanceTo(half - 1);
  t.is(s.fake.calls.length, 1);
  t.is(s.manager.cached(HTTPBIN), first);

  await s.clock.advanceTo(half);
  t.is(s.fake.calls.length, 2);
  const second = s.manager.cached(HTTPBIN);
  t.truthy(second);
  t.not(second, first);
  t.not(second!.serial, first.serial);
  t.not(second!.keyPem, first.keyPem);
  t.is(second!.notBefore.getTime(), half - 60_000);
  t.is(s.manager.snapshot()[0]?.rotatesAt, new Date(halfLife(second!)).toISOString());
  t.is(await s.manager.certificate(HTTPBIN), second!);
  t.is(first.chainPem.length, 2, 'the replaced certificate object is left intact for connections that hold it');

  await s.clock.advanceTo(halfLife(second!));
  t.is(s.fake.calls.length, 3, 'and renewed again at half of the new lifetime');
});

test('a connection never waits for a renewal: the valid certificate is served while it runs', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const first = await s.manager.certificate(HTTPBIN);
  const release = s.fake.hold();
  await s.clock.advanceTo(halfLife(first));
  t.is(s.fake.calls.length, 2, 'renewal under way');
  const served = await Promise.race([s.manager.certificate(HTTPBIN), settle().then(() => 'waited')]);
  t.is(served, first);
  t.is(s.manager.snapshot()[0]?.state, 'valid');
  release();
  await settle();
  t.not(s.manager.cached(HTTPBIN), first);
  t.is(s.fake.calls.length, 2);
});

test('a failed renewal is retried with capped exponential backoff while the old certificate is served', async (t) => {
  const s = setup(); // backoff 1 s doubling to 8 s; jitter fixed at 0.75 of the step
  t.teardown(s.cleanup);
  const first = await s.manager.certificate(HTTPBIN);
  s.fake.failWith = new Error('CA unavailable');
  const half = halfLife(first);
  await s.clock.advanceTo(half);
  t.is(s.fake.calls.length, 2);
  t.is(s.manager.cached(HTTPBIN), first);
  const row = s.manager.snapshot()[0];
  t.is(row?.state, 'valid');
  t.is(row?.lastError?.code, 'AMBIT_ERR_CERT_FETCH');
  t.is(row?.rotatesAt, new Date(half + 750).toISOString());

  await s.clock.advance(60_000);
  const gaps = s.fake.callTimes.slice(1).map((at, i, all) => (i === 0 ? at - half : at - all[i - 1]!));
  t.deepEqual(gaps.slice(0, 6), [0, 750, 1500, 3000, 6000, 6000]);
  t.true(gaps.every((g) => g <= 6000), `gaps ${gaps.join(',')}`);
  t.is(s.manager.cached(HTTPBIN), first, 'still served');
  t.is(await s.manager.certificate(HTTPBIN), first);
  const failures = s.fake.calls.length - 1;
  t.is(await metricValue(s.registry, 'ambit_certificate_fetch_failures_total', '{code="AMBIT_ERR_CERT_FETCH"}'), failures);

  s.fake.failWith = undefined;
  await s.clock.advance(6000);
  const renewed = s.manager.cached(HTTPBIN);
  t.not(renewed, first);
  t.is(s.manager.snapshot()[0]?.lastError, undefined);
  t.is(s.manager.snapshot()[0]?.rotatesAt, new Date(halfLife(renewed!)).toISOString(), 'back on the normal schedule');
});

test('an expired certificate is not served; retries stop and the next caller fetches anew', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const first = await s.manager.certificate(HTTPBIN);
  s.fake.failWith = new Error('CA unavailable');
  await s.clock.advanceTo(first.notAfter.getTime() - 1);
  t.is(s.manager.cached(HTTPBIN), first);
  await s.clock.advanceTo(first.notAfter.getTime());
  t.is(s.manager.cached(HTTPBIN), undefined);
  t.is(s.manager.rootsPem(), undefined);
  t.is(s.manager.snapshot()[0]?.state, 'failed');
  t.is(s.manager.snapshot()[0]?.serial, undefined);

  const calls = s.fake.calls.length;
  await s.clock.advance(3600_000);
  t.is(s.fake.calls.length, calls, 'no retries once the certificate is gone (fetched on demand, not local)');

  const err = await rejection(s.manager.certificate(HTTPBIN));
  t.true(isAmbitError(err, 'AMBIT_ERR_CERT_FETCH'));
  t.is(s.fake.calls.length, calls + 1);
  s.fake.failWith = undefined;
  const fresh = await s.manager.certificate(HTTPBIN);
  t.true(fresh.notAfter.getTime() > s.clock.now());
  t.is(s.manager.cached(HTTPBIN), fresh);
});

test('a local identity keeps retrying after its certificate expired, and recovers', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.manager.setLocalIdentities([HTTPBIN]);
  await settle();
  const first = s.manager.cached(HTTPBIN)!;
  t.truthy(first);
  s.fake.failWith = new Error('CA unavailable');
  await s.clock.advanceTo(first.notAfter.getTime() + 1);
  t.is(s.manager.cached(HTTPBIN), undefined);
  const calls = s.fake.calls.length;
  await s.clock.advance(60_000);
  t.true(s.fake.calls.length > calls);
  s.fake.failWith = undefined;
  await s.clock.advance(6000);
  t.truthy(s.manager.cached(HTTPBIN));
});
