// Desired vs running pods: start, stop, replace, keep (table tests).
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { diffPods, podFingerprint, type PodDiff, type PodSummary } from '../../../cli/local/pod-diff.js';

const p = (key: string, fingerprint = 'f1'): PodSummary => ({ key, fingerprint });

test('diffPods', (t) => {
  const cases: [string, PodSummary[], PodSummary[], PodDiff][] = [
    ['nothing', [], [], { start: [], stop: [], keep: [] }],
    ['all new', [p('d/b'), p('d/a')], [], { start: ['d/a', 'd/b'], stop: [], keep: [] }],
    ['all gone', [], [p('d/a')], { start: [], stop: ['d/a'], keep: [] }],
    ['unchanged', [p('d/a')], [p('d/a')], { start: [], stop: [], keep: ['d/a'] }],
    ['spec changed: replaced', [p('d/a', 'f2')], [p('d/a', 'f1')], { start: ['d/a'], stop: ['d/a'], keep: [] }],
    ['mixed', [p('d/a'), p('d/c', 'f2'), p('x/n')], [p('d/a'), p('d/b'), p('d/c')], { start: ['d/c', 'x/n'], stop: ['d/b', 'd/c'], keep: ['d/a'] }],
  ];
  for (const [name, desired, running, want] of cases) t.deepEqual(diffPods(desired, running), want, name);
});

test('the fingerprint follows spec and IP, not labels or annotations', (t) => {
  const base: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: 'a' } }, spec: { nodeName: 'node-1', containers: [{ name: 'c' }] }, status: { podIP: '10.244.1.2' } };
  const cases: [string, KubeObject, boolean][] = [
    ['same object', { ...base }, true],
    ['label changed', { ...base, metadata: { ...base.metadata, labels: { app: 'a', 'istio.io/dataplane-mode': 'ambient' } } }, true],
    ['annotation added', { ...base, metadata: { ...base.metadata, annotations: { x: 'y' } } }, true],
    ['container changed', { ...base, spec: { nodeName: 'node-1', containers: [{ name: 'c', command: ['sleep'] }] } }, false],
    ['node changed', { ...base, spec: { nodeName: 'node-2', containers: [{ name: 'c' }] } }, false],
    ['IP changed', { ...base, status: { podIP: '10.244.1.3' } }, false],
  ];
  for (const [name, other, same] of cases) t.is(podFingerprint(other) === podFingerprint(base), same, name);
});
