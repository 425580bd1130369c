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
