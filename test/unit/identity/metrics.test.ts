// IdentityManager: Prometheus metrics, the /config_dump snapshot, and close().
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { HTTPBIN, REVIEWS, SLEEP, metricValue, rejection, settle, setup } from './support.js';

test('metrics count issued certificates and failures by code, and report seconds to expiry per identity', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  await s.manager.certificate(HTTPBIN);
  s.fake.refuse.add('sleep');
  await rejection(s.manager.certificate(SLEEP));
  t.is(await metricValue(s.registry, 'ambit_certificates_issued_total'), 1);
  t.is(await metricValue(s.registry, 'ambit_certificate_fetch_failures_total', '{code="AMBIT_ERR_CERT_FETCH"}'), 1);
  t.is(await metricValue(s.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/httpbin"}'), 3600);
  t.is(await metricValue(s.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/sleep"}'), undefined);
  await s.clock.advance(600_000);
  t.is(await metricValue(s.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/httpbin"}'), 3000);
});

test('the snapshot shows serial, validity and next renewal per identity', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  const cert = await s.manager.certificate(HTTPBIN);
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  t.deepEqual(s.manager.snapshot(), [{
    identity: 'spiffe://cluster.local/ns/default/sa/httpbin',
    state: 'valid',
    local: false,
    serial: cert.serial,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    rotatesAt: new Date(cert.notBefore.getTime() + lifetime / 2).toISOString(),
  }]);
  t.notThrows(() => JSON.stringify(s.manager.snapshot()));
});

test('close clears every timer and fails requests in flight; nothing is fetched afterwards', async (t) => {
  const s = setup();
  t.teardown(s.cleanup);
  s.manager.setLocalIdentities([HTTPBIN, SLEEP]);
  await settle();
  t.is(s.clock.pendingTimers, 2, 'two renewals scheduled');
  s.fake.hold();
  const inFlight = rejection(s.manager.certificate(REVIEWS));
  await settle();
  t.is(s.clock.pendingTimers, 3, 'and a fetch timeout');
  s.manager.close();
  t.is(s.clock.pendingTimers, 0);
  const err = await inFlight;
  t.true(isAmbitError(err, 'AMBIT_ERR_CERT_FETCH'));
  t.regex(err.message, /closed/);
  t.regex((await rejection(s.manager.certificate(HTTPBIN))).message, /closed/);
  s.manager.setLocalIdentities([REVIEWS]);
  await s.clock.advance(24 * 3600_000);
  t.is(s.fake.calls.length, 3);
  t.is(s.clock.pendingTimers, 0);
});

test('two managers on one registry report both their certificates', async (t) => {
  const a = setup();
  t.teardown(a.cleanup);
  const b = setup({ registry: a.registry });
  t.teardown(b.cleanup);
  await a.manager.certificate(HTTPBIN);
  await b.manager.certificate(SLEEP);
  t.is(await metricValue(a.registry, 'ambit_certificates_issued_total'), 2);
  t.is(await metricValue(a.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/sleep"}'), 3600);
  b.manager.close();
  t.is(await metricValue(a.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/sleep"}'), undefined);
  t.is(await metricValue(a.registry, 'ambit_certificate_expiry_seconds', '{identity="spiffe://cluster.local/ns/default/sa/httpbin"}'), 3600);
});
