// What `ambit local apply` admits: valid objects in, invalid ones rejected with a finding
// naming resource, field and reason, without holding back the valid ones (table tests).
import test from 'ava';
import type { LoadedObject } from '../../../controller/config/load-yaml.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { admit, withDefaultNamespace } from '../../../cli/local/admission.js';
import { DesiredState } from '../../../cli/local/desired.js';

const NODES = ['node-1', 'node-2'];
const installed = new Set(['sleep', '/bin/sleep', 'sh', 'gunicorn', 'curl', 'python3']);
const programExists = (program: string): boolean => installed.has(program);

const lo = (object: KubeObject, file = 'in.yaml'): LoadedObject => ({ object, file });
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, container: Record<string, unknown>, extra: { namespace?: string; nodeName?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}) },
  spec: { ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), containers: [{ name: 'c', ...container }] },
});
const deploy = (name: string, container: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', ...container }] } } },
});
const svc = (name: string, port: number): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port }] } });

const existing = new DesiredState().list();

test('admit: what is accepted and what is rejected, with field and reason', (t) => {
  const cases: [string, KubeObject[], string[], [string, string, RegExp][]][] = [
    ['valid objects are all accepted', [svc('web', 80), deploy('web', { image: 'busybox', command: ['sleep', 'infinity'] })], ['Service/web', 'Deployment/web'], []],
    ['an invalid Service is rejected, the valid Deployment is not', [svc('web', 99999), deploy('web', { image: 'kennethreitz/httpbin' })], ['Deployment/web'], [['Service default/web', 'spec.ports[0].port', /65535/]]],
    ['unmapped image without command', [pod('p', { image: 'nginx' })], [], [['Pod default/p', 'spec.containers[0].image', /image "nginx" has no local mapping/]]],
    ['program not installed', [deploy('d', { image: 'busybox', command: ['frobnicate'] })], [], [['Deployment default/d', 'spec.template.spec.containers[0].command', /program "frobnicate" is not installed/]]],
    ['namespace missing', [pod('p', { command: ['sleep', '1'] }, { namespace: 'nowhere' })], [], [['Pod nowhere/p', 'metadata.namespace', /namespace "nowhere" does not exist/]]],
    ['namespace in the same batch', [pod('p', { command: ['sleep', '1'] }, { namespace: 'team' }), ns('team')], ['Pod/p', 'Namespace/team'], []],
    ['reserved namespace', [ns('ambit-system')], [], [['Namespace ambit-system', 'metadata.name', /reserved/]]],
    ['nodeName not a node', [pod('p', { command: ['sleep', '1'] }, { nodeName: 'node-7' })], [], [['Pod default/p', 'spec.nodeName', /node "node-7" is not a node of this cluster/]]],
    ['nodeName of a node', [pod('p', { command: ['sleep', '1'] }, { nodeName: 'node-2' })], ['Pod/p'], []],
  ];
  for (const [name, objects, accepted, errors] of cases) {
    const r = admit({ incoming: objects.map((o) => lo(o)), existing, nodes: NODES, programExists });
    t.deepEqual(r.accepted.map((a) => `${a.object.kind}/${a.object.metadata.name}`), accepted, name);
    const got = r.findings.filter((f) => f.severity === 'error');
    t.is(got.length, errors.length, `${name}: ${JSON.stringify(got)}`);
    errors.forEach(([who, path, message], i) => {
      t.is(`${got[i]?.kind} ${got[i]?.name}`, who, name);
      t.is(got[i]?.path, path, name);
      t.regex(got[i]?.message ?? '', message, name);
      t.is(got[i]?.file, 'in.yaml', name);
    });
  }
});

test('admit: accepted objects get the default namespace; an update is not a duplicate', (t) => {
  const state = new DesiredState();
  state.upsert(svc('web', 80));
  const r = admit({ incoming: [lo(svc('web', 8080))], existing: state.list(), nodes: NODES, programExists });
  t.deepEqual(r.findings, []);
  t.is(r.accepted[0]?.object.metadata.namespace, 'default');
  t.is(withDefaultNamespace(ns('x')).metadata.namespace, undefined, 'cluster-scoped kinds stay without namespace');
});

test('admit: unknown kinds pass with a warning', (t) => {
  const r = admit({ incoming: [lo({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } })], existing, nodes: NODES, programExists });
  t.is(r.accepted.length, 1);
  t.true(r.findings.every((f) => f.severity === 'warning'));
  t.regex(r.findings[0]?.message ?? '', /unknown kind ConfigMap/);
});
