// The CA over real gRPC + TLS on 127.0.0.1: a daemon-like client asks for workload
// certificates; the chain must verify with openssl, refusals map to gRPC codes.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { AmbitError } from '../../../api/errors.js';
import type { Identity } from '../../../api/identity.js';
import { loadProtos } from '../../../api/protos.js';
import type { CertificateRequest } from '../../../api/generated/ambit/v1/CertificateRequest.js';
import type { CertificateResponse__Output } from '../../../api/generated/ambit/v1/CertificateResponse.js';
import type { CertificateServiceClient } from '../../../api/generated/ambit/v1/CertificateService.js';
import { createCertificateAuthority } from '../../../controller/ca/authority.js';
import { addCaService } from '../../../controller/ca/ca-service.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { loadCaMaterial } from '../../../controller/ca/root.js';
import { issueServingCertificate } from '../../../controller/ca/serving-cert.js';
import { makePluginCa, opensslText, opensslVerify, tempDir } from '../../unit/ca/support.js';

const TD = 'cluster.local';
const TOKENS = new Map([['token-node-a', 'node-a'], ['token-node-b', 'node-b']]);
// Pods per node: node-a runs default/httpbin and bookinfo/reviews; node-b runs default/sleep.
const PODS = new Map([['node-a', ['default/httpbin', 'bookinfo/reviews']], ['node-b', ['default/sleep']]]);
const HTTPBIN = 'spiffe://cluster.local/ns/default/sa/httpbin';

interface Env {
  client: CertificateServiceClient;
  registry: Registry;
  rootPem: string;
  intermediatePem: string;
  dir: string;
}

let env: Env;
let shutdown: () => Promise<void>;

test.before(async () => {
  const plugin = tempDir();
  const state = tempDir();
  const files = makePluginCa(plugin.dir);
  const ca = createCertificateAuthority(loadCaMaterial({ stateDir: state.dir, pluginDir: plugin.dir, trustDomain: TD }), { trustDomain: TD });
  const serving = issueServingCertificate(ca, { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  const registry = new Registry();

  const server = new grpc.Server();
  addCaService(server, {
    ca,
    registry,
    authenticate: (metadata) => {
      const header = metadata.get('authorization')[0];
      const node = typeof header === 'string' ? TOKENS.get(header.replace(/^Bearer /, '')) : undefined;
      if (!node) return Promise.reject(new AmbitError('AMBIT_ERR_UNAUTHENTICATED', 'missing or unknown bearer token'));
      return Promise.resolve({ node });
    },
    mayHaveIdentity: (node: string, id: Identity) => (PODS.get(node) ?? []).includes(`${id.namespace}/${id.serviceAccount}`),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{
      private_key: Buffer.from(serving.privateKeyPem),
      cert_chain: Buffer.from(serving.certChainPem),
    }], false), (err, p) => (err ? reject(err) : resolve(p)));
  });

  const Client = loadProtos().ca.ambit.v1.CertificateService;
  // Verify the server as "localhost" (a DNS SAN): node refuses SNI with an IP address.
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(ca.rootPem)),
    { 'grpc.ssl_target_name_override': 'localhost' });
  env = { client, registry, rootPem: files.rootPem, intermediatePem: files.intermediatePem, dir: plugin.dir };
  shutdown = async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    plugin.cleanup();
    state.cleanup();
  };
});

test.after.always(async () => {
  await shutdown?.();
});

function call(req: CertificateRequest, token?: string): Promise<CertificateResponse__Output> {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    env.client.CreateCertificate(req, metadata, { deadline: Date.now() + 10_000 }, (err, res) => {
      if (err) reject(err);
      else if (!res) reject(new Error('empty response'));
      else resolve(res);
    });
  });
}

async function refusal(req: CertificateRequest, token?: string): Promise<grpc.ServiceError> {
  try {
    await call(req, token);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('the request was not refused');
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await env.registry.metrics();
  const m = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

test.serial('node-a gets a certificate for httpbin: chain verifies with openssl and carries the URI SAN', async (t) => {
  const before = await metric('ambit_ca_certificates_issued_total');
  const res = await call({ csr: generateKeyAndCsr(HTTPBIN).csrPem, identity: HTTPBIN, validityDuration: 3600 }, 'token-node-a');
  t.is(res.certChain.length, 3);
  const [leaf, intermediate, root] = res.certChain as [string, string, string];
  const verified = opensslVerify(env.dir, root, [intermediate], leaf);
  t.true(verified.ok, verified.output);
  t.is(root.trim(), env.rootPem.trim());
  t.regex(opensslText(env.dir, leaf), /X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin\s/);
  t.is(await metric('ambit_ca_certificates_issued_total'), before + 1);
});

test.serial('node-b may not have httpbin (no pod there): PERMISSION_DENIED naming node and identity', async (t) => {
  const err = await refusal({ csr: generateKeyAndCsr(HTTPBIN).csrPem, identity: HTTPBIN }, 'token-node-b');
  t.is(err.code, grpc.status.PERMISSION_DENIED);
  t.regex(err.details, /node-b/);
  t.true(err.details.includes(HTTPBIN), err.details);
  t.is(await metric('ambit_ca_requests_refused_total', '{reason="not_authorized"}'), 1);
});

test.serial('a malformed CSR is INVALID_ARGUMENT', async (t) => {
  const err = await refusal({ csr: 'this is not a CSR', identity: HTTPBIN }, 'token-node-a');
  t.is(err.code, grpc.status.INVALID_ARGUMENT);
  t.regex(err.details, /certificate request/);
  t.is(await metric('ambit_ca_requests_refused_total', '{reason="csr_invalid"}'), 1);
});

test.serial('a CSR for another identity than requested is INVALID_ARGUMENT', async (t) => {
  const err = await refusal({ csr: generateKeyAndCsr('spiffe://cluster.local/ns/bookinfo/sa/reviews').csrPem, identity: HTTPBIN },
    'token-node-a');
  t.is(err.code, grpc.status.INVALID_ARGUMENT);
  t.regex(err.details, /does not match the requested identity/);
});

test.serial('a lifetime over 90 days is INVALID_ARGUMENT', async (t) => {
  const err = await refusal({ csr: generateKeyAndCsr(HTTPBIN).csrPem, identity: HTTPBIN, validityDuration: 91 * 86400 }, 'token-node-a');
  t.is(err.code, grpc.status.INVALID_ARGUMENT);
  t.is(await metric('ambit_ca_requests_refused_total', '{reason="ttl"}'), 1);
});

test.serial('no token is UNAUTHENTICATED; an unknown token too', async (t) => {
  const req = { csr: generateKeyAndCsr(HTTPBIN).csrPem, identity: HTTPBIN };
  t.is((await refusal(req)).code, grpc.status.UNAUTHENTICATED);
  t.is((await refusal(req, 'forged')).code, grpc.status.UNAUTHENTICATED);
  t.is(await metric('ambit_ca_requests_refused_total', '{reason="unauthenticated"}'), 2);
});
