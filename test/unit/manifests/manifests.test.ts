// The Kubernetes manifests parse, pass validation, and grant the controller exactly
// what its Kubernetes source watches.
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigPaths } from '../../../controller/config/load-yaml.js';
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

test('the controller ClusterRole allows list and watch on every watched kind, and TokenReview create', async (t) => {
  const loaded = await loadConfigPaths([path.join(root, 'manifests')]);
  const role = loaded.objects.map((o) => o.object).find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'ambit-controller');
  t.truthy(role);
  const rules = (role?.rules ?? []) as PolicyRule[];
  const allows = (group: string, resource: string, verb: string): boolean =>
    rules.some((r) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && (r.verbs ?? []).includes(verb));
  for (const k of WATCHED_KINDS) {
    t.true(allows(k.group, k.plural, 'list') && allows(k.group, k.plural, 'watch'), `${k.group}/${k.plural}`);
  }
  t.true(allows('authentication.k8s.io', 'tokenreviews', 'create'));
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
