// The identity manager against a real Controller (TLS gRPC CA, bootstrap tokens,
// node-scoped authorization): a node gets certificates for the identities of its own
// workloads and is refused any other, with the refusal surfaced and counted.
import test, { type ExecutionContext } from 'ava';
import { X509Certificate } from 'node:crypto';
import { Registry } from 'prom-client';
import { isAmbitError } from '../../../api/errors.js';
import type { Identity } from '../../../api/identity.js';
import { silentLogger } from '../../../api/log.js';
import { caFetcher } from '../../../daemon/identity/ca-fetcher.js';
import { IdentityManager } from '../../../daemon/identity/identity-manager.js';
import { localIdentities } from '../../../daemon/identity/local-identities.js';
import { startHarness, waitFor, type Harness } from '../../support/controller-harness.js';
import { namespace, pod } from '../../support/objects.js';
import { metricValue, rejection } from '../../unit/identity/support.js';

const HTTPBIN: Identity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'httpbin' };
const SLEEP: Identity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'sleep' };

const base = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  pod('httpbin-1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('sleep-1', { ip: '10.244.2.2', node: 'node-2', sa: 'sleep', labels: { app: 'sleep' } }),
];

/** A daemon's identity manager for `node`, talking to the harness's CA; closed (with its channel) at teardown. */
function daemonIdentities(t: ExecutionContext, h: Harness, node: string, token = (): string => h.token(node)): { manager: IdentityManager; registry: Registry } {
  const fetcher = caFetcher(h.address, h.controller.rootCertPem, token);
  const registry = new Registry();
  const manager = new IdentityManager({ node, fetchCertificate: fetcher, log: silentLogger(), registry, backoff: { initialMs: 100, maxMs: 500 } });
  t.teardown(() => {
    manager.close();
    fetcher.close();
  });
  return { manager, registry };
}

test('a node gets the identities of its workloads, and is refused one without a pod on it', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { client, state } = h.connect('node-1');
  await waitFor(() => client.synced, 5000, 'first sync');
  const { manager, registry } = daemonIdentities(t, h, 'node-1');

  const local = localIdentities(state, 'node-1');
  t.deepEqual(local, [HTTPBIN]);
  manager.setLocalIdentities(local);
  await waitFor(() => manager.cached(HTTPBIN) !== undefined, 10_000, 'the httpbin certificate');
  const cert = manager.cached(HTTPBIN)!;
  t.is(cert.spiffeId, 'spiffe://cluster.local/ns/default/sa/httpbin');
  t.is(cert.rootsPem.trim(), h.controller.rootCertPem.trim());
  t.is(manager.rootsPem(), cert.rootsPem);
  const chain = cert.chainPem.map((p) => new X509Certificate(p));
  const root = new X509Certificate(h.controller.rootCertPem);
  t.true(chain[0]!.checkIssued(chain[1]!) && chain[0]!.verify(chain[chain.length - 1]!.publicKey));
  t.true(chain[chain.length - 1]!.verify(root.publicKey));
  t.true(cert.notAfter.getTime() - cert.notBefore.getTime() > 23 * 3600_000, 'the CA default lifetime (24 h)');
  t.is(await manager.certificate(HTTPBIN), cert);

  const err = await rejection(manager.certificate(SLEEP));
  t.true(isAmbitError(err, 'AMBIT_ERR_CA_NOT_AUTHORIZED'), err.message);
  t.regex(err.message, /node node-1 may not have identity spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep/);
  t.is(manager.cached(SLEEP), undefined);
  const row = manager.snapshot().find((r) => r.identity.endsWith('/sa/sleep'));
  t.is(row?.state, 'failed');
  t.is(row?.lastError?.code, 'AMBIT_ERR_CA_NOT_AUTHORIZED');
  t.is(await metricValue(registry, 'ambit_certificate_fetch_failures_total', '{code="AMBIT_ERR_CA_NOT_AUTHORIZED"}'), 1);
  t.is(await metricValue(registry, 'ambit_certificates_issued_total'), 1);
  t.is(await metricValue(h.controller.metrics.registry, 'ambit_ca_requests_refused_total', '{reason="not_authorized"}'), 1);
});

test('when a workload is scheduled on the node, its identity becomes local and is granted', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { client, state } = h.connect('node-2');
  await waitFor(() => client.synced, 5000, 'first sync');
  const { manager } = daemonIdentities(t, h, 'node-2');
  manager.setLocalIdentities(localIdentities(state, 'node-2'));
  await waitFor(() => manager.cached(SLEEP) !== undefined, 10_000, 'the sleep certificate');
  t.true(isAmbitError(await rejection(manager.certificate(HTTPBIN)), 'AMBIT_ERR_CA_NOT_AUTHORIZED'));

  h.source.set([...base, pod('httpbin-2', { ip: '10.244.2.3', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin' } })]);
  await waitFor(() => state.workloadsByIp.has('10.244.2.3'), 5000, 'the new pod');
  manager.setLocalIdentities(localIdentities(state, 'node-2'));
  await waitFor(() => manager.cached(HTTPBIN) !== undefined, 10_000, 'the httpbin certificate');
  t.deepEqual(manager.snapshot().map((r) => [r.identity, r.state, r.local]), [
    ['spiffe://cluster.local/ns/default/sa/httpbin', 'valid', true],
    ['spiffe://cluster.local/ns/default/sa/sleep', 'valid', true],
  ]);
});

test('a node with a bad token is refused as unauthenticated', async (t) => {
  const h = await startHarness(base);
  t.teardown(() => h.close());
  const { manager } = daemonIdentities(t, h, 'node-1', () => 'not-a-token');
  const err = await rejection(manager.certificate(HTTPBIN));
  t.true(isAmbitError(err, 'AMBIT_ERR_UNAUTHENTICATED'), err.message);
});
