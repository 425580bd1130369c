// The runtime's desired objects: upsert/remove/label, builtin namespaces, pod label edits.
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { DesiredState, labelEditProblem, objectRef } from '../../../cli/local/desired.js';

const NODES = ['node-1', 'node-2'];
const deploy: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
};
const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team' }, spec: { ports: [{ port: 80 }] } };

test('default and istio-system always exist and cannot be deleted', (t) => {
  const s = new DesiredState();
  t.deepEqual(s.namespaces(), ['default', 'istio-system']);
  t.is(s.remove({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }), undefined);
  t.deepEqual(s.namespaces(), ['default', 'istio-system']);
});

test('upsert: created, unchanged, configured; remove: deleted, not found; a Namespace takes its objects along', (t) => {
  const s = new DesiredState();
  t.is(s.upsert(deploy).action, 'created');
  t.is(s.upsert(deploy).action, 'unchanged');
  t.is(s.upsert({ ...deploy, spec: { ...deploy.spec, replicas: 2 } }).action, 'configured');
  t.is(s.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }).action, 'created');
  t.is(s.upsert(svc).action, 'created');
  t.deepEqual(s.remove({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nope' } })?.changes.map((c) => c.action), ['not found']);
  const gone = s.remove({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  t.deepEqual(gone?.changes.map((c) => `${c.ref} ${c.action}`), ['namespace/team deleted', 'service/web deleted']);
  t.deepEqual(gone?.keys, ['Namespace//team', 'Service/team/web']);
  t.deepEqual(s.remove(deploy)?.changes.map((c) => `${c.ref} ${c.action}`), ['deployment.apps/web deleted']);
});

test('objectRef is kubectl\'s kind.group/name', (t) => {
  t.is(objectRef(deploy), 'deployment.apps/web');
  t.is(objectRef(svc), 'service/web');
  t.is(objectRef({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny' } }), 'authorizationpolicy.security.istio.io/deny');
});

test('labels: a namespace, a user Pod, and a pod generated from a Deployment (kept across materializations, forgotten with the pod)', (t) => {
  const s = new DesiredState();
  s.upsert(deploy);
  s.upsert({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  t.is(s.labelNamespace('default', { 'istio.io/dataplane-mode': 'ambient' })?.action, 'labeled');
  t.is(s.labelNamespace('nope', { a: 'b' }), undefined);
  const first = s.materialize(NODES);
  const generated = first.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('web-'))!;
  t.is(s.labelPod('default', generated.metadata.name, { 'istio.io/dataplane-mode': 'ambient', app: null }, first)?.action, 'labeled');
  t.is(s.labelPod('default', 'solo', { a: null, b: '2' }, first)?.action, 'labeled');
  t.is(s.labelPod('default', 'ghost', { a: '1' }, first), undefined);
  const second = s.materialize(NODES);
  const labels = (name: string): Record<string, string> | undefined => second.find((o) => o.kind === 'Pod' && o.metadata.name === name)?.metadata.labels;
  t.deepEqual(labels(generated.metadata.name), { 'pod-template-hash': generated.metadata.labels!['pod-template-hash']!, 'istio.io/dataplane-mode': 'ambient' });
  t.deepEqual(labels('solo'), { b: '2' });
  t.deepEqual(second.find((o) => o.kind === 'Namespace' && o.metadata.name === 'default')?.metadata.labels, { 'istio.io/dataplane-mode': 'ambient' });
  // The Deployment's template changes: new pod names, the old edits are dropped.
  s.upsert({ ...deploy, spec: { ...deploy.spec, template: { metadata: { labels: { app: 'web', v: '2' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
  const third = s.materialize(NODES);
  const fresh = third.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('web-'))!;
  t.not(fresh.metadata.name, generated.metadata.name);
  t.is(fresh.metadata.labels?.['istio.io/dataplane-mode'], undefined);
});

test('labelEditProblem', (t) => {
  const cases: [Record<string, string | null>, RegExp | undefined][] = [
    [{ a: '1' }, undefined],
    [{ 'istio.io/dataplane-mode': 'ambient', gone: null }, undefined],
    [{}, /no label given/],
    [{ '': 'x' }, /empty label key/],
    [{ 'a b': 'x' }, /invalid label key "a b"/],
    [{ k: 'x'.repeat(64) }, /invalid value/],
  ];
  for (const [edit, re] of cases) {
    const p = labelEditProblem(edit);
    if (re) t.regex(p ?? '', re, JSON.stringify(edit));
    else t.is(p, undefined, JSON.stringify(edit));
  }
});
