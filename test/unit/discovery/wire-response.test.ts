// ResponseEncoder: a response made of a separately encoded envelope and cached resource
// entries decodes to the same message grpc-js would have serialized in one piece.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { ConfigStore } from '../../../controller/config/store.js';
import { decodeResource, encodeResource } from '../../../controller/discovery/codec.js';
import { acceptingEncodedResponses, ResponseEncoder } from '../../../controller/discovery/wire-response.js';
import { buildModel, modelResources } from '../../../controller/translate/build-model.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { isKnownKind, validateResource } from '../../../controller/validation/validate.js';
import { silentLogger } from '../../../api/log.js';
import { loadProtos } from '../../../api/protos.js';
import type { ResourceRef } from '../../../api/generated/ambit/v1/ResourceRef.js';
import type { ModelResource } from '../../../api/model.js';
import { namespace, pod, service } from '../../support/objects.js';

const method = loadProtos().discovery.ambit.v1.Discovery.service.Stream;

function resources(objects: KubeObject[]): ReturnType<typeof modelResources> {
  const store = new ConfigStore({ validate: validateResource, isKnownKind, onChange: () => {} }, silentLogger());
  store.replace(objects, 'test');
  return modelResources(buildModel(store, defaultMesh()));
}

const HTTPBIN = 'default/httpbin.default.svc.cluster.local';
const l7: ModelResource = { kind: 'L7_CONFIG', name: HTTPBIN, value: { service: HTTPBIN, json: JSON.stringify({ service: HTTPBIN }) } };

const built = resources([
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  pod('httpbin-1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin' } }),
  pod('sleep-1', { ip: '10.244.2.2', node: 'node-2', sa: 'sleep', labels: { app: 'sleep' } }),
  service('httpbin', { vip: '10.96.0.10', port: 8000, targetPort: 8080, selector: { app: 'httpbin' } }),
]);
// No route objects above: the L7 configuration is added by hand.
const model = [...built, l7];

test('the model has every kind of resource the stream carries', (t) => {
  t.deepEqual(new Set(model.map((r) => r.kind)), new Set(['WORKLOAD', 'SERVICE', 'AUTHORIZATION', 'MESH_CONFIG', 'L7_CONFIG']));
});

test('an L7 configuration decodes to the resource that was encoded', (t) => {
  const encoder = new ResponseEncoder(method.responseSerialize);
  const decoded = method.responseDeserialize(encoder.encode({ version: '1', nonce: 'n' }, [l7])) as { resources: Parameters<typeof decodeResource>[0][] };
  t.deepEqual(decoded.resources.map(decodeResource), [l7]);
});

const cases: { title: string; fullSnapshot: boolean; take: number; removed: ResourceRef[] }[] = [
  { title: 'snapshot of everything', fullSnapshot: true, take: model.length, removed: [] },
  { title: 'delta with upserts and removals', fullSnapshot: false, take: 2, removed: [{ kind: 'WORKLOAD', name: 'Kubernetes//Pod/default/gone' }] },
  { title: 'delta with removals only', fullSnapshot: false, take: 0, removed: [{ kind: 'SERVICE', name: 'default/x.default.svc.cluster.local' }] },
];

for (const c of cases) {
  test(`decodes like a message serialized in one piece: ${c.title}`, (t) => {
    const encoder = new ResponseEncoder(method.responseSerialize);
    const picked = model.slice(0, c.take);
    const envelope = { fullSnapshot: c.fullSnapshot, version: '7', nonce: 'n-1', removed: c.removed };
    const pieces = encoder.encode(envelope, picked);
    const whole = method.responseSerialize({ ...envelope, resources: picked.map(encodeResource) });
    t.deepEqual(method.responseDeserialize(pieces), method.responseDeserialize(whole));
    t.is(pieces.length, whole.length);
  });
}

test('each resource object is encoded once, however many responses carry it', (t) => {
  let calls = 0;
  const encoder = new ResponseEncoder((m) => { calls++; return method.responseSerialize(m); });
  const r = model[0]!;
  const first = encoder.entry(r);
  encoder.encode({ version: '1', nonce: 'a' }, [r]);
  encoder.encode({ version: '2', nonce: 'b' }, [r]);
  t.is(encoder.entry(r), first);
  t.is(calls, 1 + 2, 'one resource encoding and one envelope per response');
  // A new object for the same resource (a changed version) is encoded anew.
  const changed = { ...r, value: { ...r.value } } as typeof r;
  t.not(encoder.entry(changed), first);
  // The same object under another name carries that name.
  const renamed = { ...r, name: `${r.name}-other` };
  t.is(method.responseDeserialize(encoder.encode({}, [renamed])).resources[0]?.name, renamed.name);
});

test('the wrapped service passes encoded bytes through and still serializes messages', (t) => {
  const wrapped = acceptingEncodedResponses(loadProtos().discovery.ambit.v1.Discovery.service);
  const bytes = Buffer.from([1, 2, 3]);
  t.is(wrapped.Stream!.responseSerialize(bytes), bytes);
  const msg = { version: '3', nonce: 'x', fullSnapshot: false, resources: [], removed: [] };
  t.deepEqual(wrapped.Stream!.responseSerialize(msg), method.responseSerialize(msg));
  t.is(wrapped.Stream!.requestDeserialize, method.requestDeserialize);
});
