// A waypoint pod's own projected service-account token against a real Controller (gRPC
// + TLS on 127.0.0.1) whose TokenReviews go to the fake API server: the CA issues it
// its own service account's identity and nothing else, its discovery stream is
// accepted for the node its token is bound to; node daemons keep node-scoped rights.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { loadProtos } from '../../../api/protos.js';
import type { DiscoveryResponse__Output } from '../../../api/generated/ambit/v1/DiscoveryResponse.js';
import { NODE_NAME_EXTRA, POD_NAME_EXTRA, POD_UID_EXTRA, TokenReviewAuthenticator } from '../../../controller/auth/token-review.js';
import { generateKeyAndCsr } from '../../../controller/ca/csr-create.js';
import { Controller } from '../../../controller/controller.js';
import { WATCHED_KINDS } from '../../../controller/sources/kube/kinds.js';
import { KubeSource } from '../../../controller/sources/kube/kube-source.js';
import { caClient, controllerCredentials, requestCertificate } from '../../../daemon/controller-connection.js';
import { FakeKubeApiServer, type FakeObject } from '../../support/fake-kube-apiserver.js';
import { fakeKind } from './kube-harness.js';

const WAYPOINT_TOKEN = 'waypoint-token';
const NODE_B_TOKEN = 'node-b-token';
const WAYPOINT_ID = 'spiffe://cluster.local/ns/shop/sa/waypoint';
const HTTPBIN_ID = 'spiffe://cluster.local/ns/default/sa/httpbin';

function pod(name: string, namespace: string, serviceAccountName: string, nodeName: string): FakeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } },
    spec: { serviceAccountName, nodeName, containers: [{ name: 'c', image: 'example/c:1' }] },
    status: { phase: 'Running', podIP: `10.244.2.${namespace === 'shop' ? 10 : 11}` },
  };
}

interface Env {
  address: string;
  rootPem: string;
}

let env: Env;
let teardown: () => Promise<void>;

test.before(async () => {
  const fake = await FakeKubeApiServer.start({ kinds: WATCHED_KINDS.map(fakeKind) });
  fake.setToken(WAYPOINT_TOKEN, {
    username: 'system:serviceaccount:shop:waypoint', audiences: ['istio-ca'],
    extra: { [NODE_NAME_EXTRA]: ['node-b'], [POD_NAME_EXTRA]: ['waypoint-5c8d-q7'], [POD_UID_EXTRA]: ['uid-wp'] },
  });
  fake.setToken(NODE_B_TOKEN, { username: 'system:serviceaccount:istio-system:ambit-node', audiences: ['istio-ca'], extra: { [NODE_NAME_EXTRA]: ['node-b'] } });
  // node-b runs the waypoint and httpbin: node-b's daemon may have both identities, the waypoint only its own.
  fake.put(pod('waypoint-5c8d-q7', 'shop', 'waypoint', 'node-b'));
  fake.put(pod('httpbin-1', 'default', 'httpbin', 'node-b'));

  const log = pino({ level: 'silent' });
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-wpcreds-'));
  const kubeConfig = fake.kubeConfig();
  const controller = new Controller({
    stateDir, log, grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1,
    sources: [new KubeSource({ kubeConfig, logger: log, backoff: { initialMs: 5, maxMs: 50 } })],
    authenticator: new TokenReviewAuthenticator({ kubeConfig }),
    gatewayDeployments: false,
  });
  await controller.start();
  env = { address: `127.0.0.1:${controller.grpcPort}`, rootPem: controller.rootCertPem };
  teardown = async () => {
    await controller.stop();
    await fake.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
});

test.after.always(async () => {
  await teardown?.();
});

async function certificate(token: string, identity: string): Promise<string[]> {
  const client = caClient(env.address, env.rootPem);
  try {
    return await requestCertificate(client, token, { csr: generateKeyAndCsr(identity).csrPem, identity });
  } finally {
    client.close();
  }
}

/** Opens a discovery stream as `node`; resolves with the first response or the error that ended the stream. */
async function discover(token: string, node: string): Promise<DiscoveryResponse__Output | grpc.ServiceError> {
  const { credentials, channelOptions } = controllerCredentials(env.rootPem);
  const client = new (loadProtos().discovery.ambit.v1.Discovery)(env.address, credentials, channelOptions);
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  const call = client.Stream(md);
  try {
    return await new Promise((resolve) => {
      call.on('data', (res: DiscoveryResponse__Output) => resolve(res));
      call.on('error', (err: grpc.ServiceError) => resolve(err));
      call.write({ node });
    });
  } finally {
    call.cancel();
    client.close();
  }
}

test('a waypoint token gets its own service account identity', async (t) => {
  const chain = await certificate(WAYPOINT_TOKEN, WAYPOINT_ID);
  t.is(chain.length, 2);
  t.is(new X509Certificate(chain[0]!).subjectAltName, `URI:${WAYPOINT_ID}`);
});

test('a waypoint token gets no other identity, not even of a pod on its node', async (t) => {
  const err = await t.throwsAsync(certificate(WAYPOINT_TOKEN, HTTPBIN_ID));
  t.is((err as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
  t.regex((err as grpc.ServiceError).details, /service account shop\/waypoint may only have its own identity/);
});

test("the node daemon's token keeps node-scoped rights", async (t) => {
  t.is(new X509Certificate((await certificate(NODE_B_TOKEN, HTTPBIN_ID))[0]!).subjectAltName, `URI:${HTTPBIN_ID}`);
  t.is(new X509Certificate((await certificate(NODE_B_TOKEN, WAYPOINT_ID))[0]!).subjectAltName, `URI:${WAYPOINT_ID}`);
});

test('a waypoint token opens a discovery stream for the node its token is bound to, and only that node', async (t) => {
  const ok = await discover(WAYPOINT_TOKEN, 'node-b');
  t.true('fullSnapshot' in ok && ok.fullSnapshot, JSON.stringify(ok));
  t.true('resources' in ok && ok.resources.length > 0);

  const refused = await discover(WAYPOINT_TOKEN, 'node-a');
  t.is((refused as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
  t.regex((refused as grpc.ServiceError).details, /credentials are for node node-b/);
});

test('an unknown token gets neither a certificate nor a stream', async (t) => {
  const err = await t.throwsAsync(certificate('forged', WAYPOINT_ID));
  t.is((err as grpc.ServiceError).code, grpc.status.UNAUTHENTICATED);
  t.is(((await discover('forged', 'node-b')) as grpc.ServiceError).code, grpc.status.UNAUTHENTICATED);
});
