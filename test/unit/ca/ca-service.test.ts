// CreateCertificate handler without a network: error-code mapping, metrics, order of checks.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { AmbitError } from '../../../api/errors.js';
import type { Identity } from '../../../api/identity.js';
import type { CertificateRequest__Output } from '../../../api/generated/ambit/v1/CertificateRequest.js';
import type { CertificateResponse } from '../../../api/generated/ambit/v1/CertificateResponse.js';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { readCertificate } from '../../../controller/ca/cert-info.js';
import { createCaService, type CaServiceDeps } from '../../../controller/ca/ca-service.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { createSelfSignedRoot } from '../../../controller/ca/root-create.js';

const TD = 'cluster.local';
const URI = 'spiffe://cluster.local/ns/default/sa/httpbin';
const root = createSelfSignedRoot({ trustDomain: TD });
const ca = createCertificateAuthority({ source: 'self-signed', chain: [readCertificate(root.certDer)], key: root.key }, { trustDomain: TD });

type Outcome = { err: Partial<grpc.StatusObject> | null; value?: CertificateResponse };

function invoke(deps: Partial<CaServiceDeps>, req: Partial<CertificateRequest__Output>): Promise<Outcome> {
  const handlers = createCaService({
    ca,
    registry: new Registry(),
    authenticate: () => Promise.resolve({ node: 'node-a' }),
    mayHaveIdentity: () => true,
    ...deps,
  });
  const request: CertificateRequest__Output = { csr: '', identity: '', validityDuration: 0, ...req };
  // The handler reads only `request` and `metadata`; a full ServerUnaryCall needs a live stream.
  const call = { request, metadata: new grpc.Metadata() } as unknown as grpc.ServerUnaryCall<CertificateRequest__Output, CertificateResponse>;
  return new Promise((resolve) => {
    handlers.CreateCertificate(call, (err, value) => resolve({ err, value: value ?? undefined }));
  });
}

test('a good request returns [leaf, root] and counts one issued certificate', async (t) => {
  const registry = new Registry();
  const out = await invoke({ registry }, { csr: generateKeyAndCsr(URI).csrPem, identity: URI });
  t.is(out.err, null);
  t.is(out.value?.certChain?.length, 2);
  t.regex(await registry.metrics(), /^ambit_ca_certificates_issued_total 1$/m);
});

test('authorization is asked with the authenticated node and the parsed identity', async (t) => {
  const seen: [string, Identity][] = [];
  await invoke({
    authenticate: () => Promise.resolve({ node: 'node-7' }),
    mayHaveIdentity: (node, id) => { seen.push([node, id]); return false; },
  }, { csr: generateKeyAndCsr(URI).csrPem, identity: URI });
  t.deepEqual(seen, [['node-7', { trustDomain: TD, namespace: 'default', serviceAccount: 'httpbin' }]]);
});

test('a refused node never reaches CSR parsing (PERMISSION_DENIED even with a bad CSR)', async (t) => {
  const out = await invoke({ mayHaveIdentity: () => false }, { csr: 'junk', identity: URI });
  t.is(out.err?.code, grpc.status.PERMISSION_DENIED);
  t.regex(out.err?.details ?? '', /node node-a may not have identity spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin/);
});

test('an unauthenticated caller is refused before anything else', async (t) => {
  let asked = false;
  const out = await invoke({
    authenticate: () => Promise.reject(new AmbitError('AMBIT_ERR_UNAUTHENTICATED', 'no token')),
    mayHaveIdentity: () => { asked = true; return true; },
  }, { csr: 'junk', identity: 'junk' });
  t.is(out.err?.code, grpc.status.UNAUTHENTICATED);
  t.false(asked);
});

test('identity outside the trust domain is INVALID_ARGUMENT', async (t) => {
  const other = 'spiffe://other.domain/ns/default/sa/httpbin';
  const out = await invoke({}, { csr: generateKeyAndCsr(other).csrPem, identity: other });
  t.is(out.err?.code, grpc.status.INVALID_ARGUMENT);
});

test('an unexpected error is INTERNAL without leaking its message, counted as reason="internal"', async (t) => {
  const registry = new Registry();
  const out = await invoke({ registry, authenticate: () => Promise.reject(new Error('kube API exploded: secret=xyz')) },
    { csr: 'x', identity: URI });
  t.is(out.err?.code, grpc.status.INTERNAL);
  t.notRegex(out.err?.details ?? '', /secret/);
  t.regex(await registry.metrics(), /^ambit_ca_requests_refused_total\{reason="internal"\} 1$/m);
});

test('two services on one registry share the counters instead of throwing', (t) => {
  const registry = new Registry();
  const deps: CaServiceDeps = { ca, registry, authenticate: () => Promise.resolve({ node: 'n' }), mayHaveIdentity: () => true };
  t.notThrows(() => { createCaService(deps); createCaService(deps); });
});

test('a service-account caller gets exactly its own identity, without node authorization', async (t) => {
  let asked = false;
  const deps: Partial<CaServiceDeps> = {
    authenticate: () => Promise.resolve({ node: 'node-a', serviceAccount: { namespace: 'default', name: 'httpbin' } }),
    mayHaveIdentity: () => { asked = true; return false; },
  };
  const out = await invoke(deps, { csr: generateKeyAndCsr(URI).csrPem, identity: URI });
  t.is(out.err, null);
  t.is(out.value?.certChain?.length, 2);
  t.false(asked); // its token names the identity; what else runs on its node does not matter
});

test('a service-account caller is refused any other identity (PERMISSION_DENIED, before CSR parsing)', async (t) => {
  const registry = new Registry();
  const authenticate = (): Promise<{ node: string; serviceAccount: { namespace: string; name: string } }> =>
    Promise.resolve({ node: 'node-a', serviceAccount: { namespace: 'default', name: 'httpbin' } });
  for (const other of ['spiffe://cluster.local/ns/default/sa/sleep', 'spiffe://cluster.local/ns/shop/sa/httpbin']) {
    const out = await invoke({ registry, authenticate, mayHaveIdentity: () => true }, { csr: 'junk', identity: other });
    t.is(out.err?.code, grpc.status.PERMISSION_DENIED);
    t.regex(out.err?.details ?? '', /service account default\/httpbin may only have its own identity, not spiffe:\/\/cluster\.local\//);
  }
  t.regex(await registry.metrics(), /^ambit_ca_requests_refused_total\{reason="not_authorized"\} 2$/m);
});
