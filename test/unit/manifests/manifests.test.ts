// The Kubernetes manifests parse, pass validation, grant the controller exactly what its
// Kubernetes source watches and its gateway deployment controller writes (objects, and
// the status of waypoint Gateways), and document
// exactly what that controller creates for a waypoint.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../controller/config/resource.js';
import { loadConfigPaths } from '../../../controller/config/load-yaml.js';
import { rootCertConfigMap, waypointObjects } from '../../../controller/gateway/waypoint-deployment.js';
import { appliedObjectPath, appliedStatusPath } from '../../../controller/sources/kube/kube-apply.js';
import { WATCHED_KINDS } from '../../../controller/sources/kube/kinds.js';
import { analyzeObjects } from '../../../controller/validation/analyze.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface PolicyRule { apiGroups?: string[]; resources?: string[]; verbs?: string[] }

test('manifests parse and have no validation errors', async (t) => {
  const loaded = await loadConfigPaths([path.join(root, 'manifests')]);
  t.deepEqual(loaded.findings, []);
  t.true(loaded.objects.length > 0);
  const errors = analyzeObjects(loaded.objects).filter((f) => f.severity === 'error');
  t.deepEqual(errors, []);
});

test('the controller ClusterRole grants exactly: read the watched kinds, write waypoint objects and Gateway status, create TokenReviews', async (t) => {
  const loaded = await loadConfigPaths([path.join(root, 'manifests')]);
  const role = loaded.objects.map((o) => o.object).find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'ambit-controller');
  t.truthy(role);
  const granted = new Map<string, Set<string>>();
  for (const r of (role?.rules ?? []) as PolicyRule[]) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) {
        const verbs = granted.get(`${g}/${res}`) ?? new Set<string>();
        for (const v of r.verbs ?? []) verbs.add(v);
        granted.set(`${g}/${res}`, verbs);
      }
    }
  }
  const expected = new Map<string, Set<string>>();
  const allow = (key: string, ...verbs: string[]): void => {
    const set = expected.get(key) ?? new Set<string>();
    for (const v of verbs) set.add(v);
    expected.set(key, set);
  };
  for (const k of WATCHED_KINDS) allow(`${k.group}/${k.plural}`, 'get', 'list', 'watch');
  // Server-side apply is a PATCH that creates a missing object: patch + create.
  for (const key of ['/serviceaccounts', 'apps/deployments', '/services']) allow(key, 'get', 'list', 'watch', 'create', 'patch');
  allow('/configmaps', 'create', 'patch');
  // The status of waypoint Gateways: server-side apply to the status subresource never creates.
  allow('gateway.networking.k8s.io/gateways/status', 'patch');
  allow('authentication.k8s.io/tokenreviews', 'create');
  const sorted = (m: Map<string, Set<string>>): Record<string, string[]> =>
    Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
  t.deepEqual(sorted(granted), sorted(expected));

  // Every kind the controller applies is covered by a create + patch grant.
  const gw: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'w', namespace: 'n', uid: 'u' }, spec: {} };
  for (const obj of [...waypointObjects(gw), rootCertConfigMap('n', 'PEM')]) {
    // /api/v1/namespaces/n/<plural>/w or /apis/<group>/v1/namespaces/n/<plural>/w
    const seg = appliedObjectPath(obj).split('/');
    const resource = seg[1] === 'api' ? `/${seg[5]}` : `${seg[2]}/${seg[6]}`;
    t.true(['create', 'patch'].every((v) => granted.get(resource)?.has(v)), `${obj.kind}: ${resource}`);
  }
  // The status path the controller writes is covered by the patch grant: /apis/<group>/v1/namespaces/n/<plural>/w/status.
  const seg = appliedStatusPath(gw).split('/');
  t.true(granted.get(`${seg[2]}/${seg[6]}/${seg[8]}`)?.has('patch'), appliedStatusPath(gw));
});

test('waypoint-template.yaml is exactly what the controller creates for Gateway default/waypoint', (t) => {
  const text = readFileSync(path.join(root, 'manifests', 'waypoint-template.yaml'), 'utf8');
  const docs = parseAllDocuments(text).map((d) => {
    t.deepEqual(d.errors, []);
    return d.toJSON() as unknown;
  });
  const gateway: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: 'default', uid: '00000000-0000-0000-0000-000000000000' },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
  t.deepEqual(docs, JSON.parse(JSON.stringify(waypointObjects(gateway))) as unknown);
});

test('the node DaemonSet gives the daemon what it reads and what TokenReview expects', async (t) => {
  const loaded = await loadConfigPaths([path.join(root, 'manifests')]);
  const ds = loaded.objects.map((o) => o.object).find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'ambit-node');
  t.truthy(ds);
  interface Container { command?: string[]; env?: { name: string }[]; securityContext?: { privileged?: boolean } }
  interface PodSpec { serviceAccountName?: string; hostNetwork?: boolean; containers: Container[]; volumes: { projected?: { sources: { serviceAccountToken?: { audience?: string } }[] } }[] }
  const spec = (ds?.spec as { template: { spec: PodSpec } }).template.spec;
  t.is(`${ds?.metadata.namespace}/${spec.serviceAccountName}`, 'istio-system/ambit-node'); // TokenReviewAuthenticator's default
  t.true(spec.hostNetwork);
  const c = spec.containers[0]!;
  t.deepEqual(c.command?.slice(2, 3), ['daemon']);
  t.true(c.securityContext?.privileged);
  const env = new Set((c.env ?? []).map((e) => e.name));
  for (const name of ['NODE_NAME', 'NODE_IP', 'AMBIT_CONTROLLER', 'AMBIT_ROOT_CERT', 'AMBIT_TOKEN_FILE']) t.true(env.has(name), name);
  const audiences = spec.volumes.flatMap((v) => v.projected?.sources ?? []).map((s) => s.serviceAccountToken?.audience).filter(Boolean);
  t.deepEqual(audiences, ['istio-ca']);
});
