// A model built with a warm TranslationCache equals one built from scratch, after
// changes to pods, services, namespaces and policies.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { buildModel } from '../../../controller/translate/build-model.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { TranslationCache } from '../../../controller/translate/translation-cache.js';
import { MemoryView } from './builders.js';
import { ConfigStore } from '../../../controller/config/store.js';
import { isKnownKind, validateResource } from '../../../controller/validation/validate.js';
import { silentLogger } from '../../../api/log.js';
import { namespace, pod, service } from '../../support/objects.js';

const mesh = defaultMesh();

function policy(name: string, app: string): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app } }, rules: [{ from: [{ source: { namespaces: ['default'] } }] }] } };
}

test('incremental builds equal fresh builds through a sequence of changes', (t) => {
  const cache = new TranslationCache();
  // The real store keeps list arrays stable per kind, which is what makes the cache hit.
  const store = new ConfigStore({ validate: validateResource, isKnownKind, onChange: () => {} }, silentLogger());
  let objects: KubeObject[] = [
    namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
    pod('a', { ip: '10.244.1.2', node: 'node-1', labels: { app: 'a' } }),
    pod('b', { ip: '10.244.1.3', node: 'node-1', labels: { app: 'b' } }),
  ];
  const steps: ((o: KubeObject[]) => KubeObject[])[] = [
    (o) => [...o, service('svc-a', { vip: '10.96.0.1', port: 80, selector: { app: 'a' } })],
    (o) => [...o, policy('p', 'b')],
    (o) => o.map((x) => (x.kind === 'Namespace' ? namespace('default', {}) : x)),
    (o) => o.map((x) => (x.metadata.name === 'b' && x.kind === 'Pod' ? pod('b', { ip: '10.244.1.3', node: 'node-1', labels: { app: 'a' } }) : x)),
    (o) => o.filter((x) => x.kind !== 'Service'),
  ];
  for (const step of steps) {
    objects = step(objects);
    store.replace(objects, 'test');
    const incremental = buildModel(store, mesh, cache);
    const fresh = buildModel(new MemoryView(objects), mesh);
    t.deepEqual(incremental, fresh);
  }
  // And the cache does hit: an unrelated rebuild reuses the very same workload objects.
  const again = buildModel(store, mesh, cache);
  const before = buildModel(store, mesh, cache);
  t.is(again.workloads[0], before.workloads[0]);
});
