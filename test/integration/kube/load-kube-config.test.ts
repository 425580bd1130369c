// loadKubeConfig: an explicit kubeconfig file is used as given; a broken one is a typed error.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import { loadKubeConfig } from '../../../controller/sources/kube/load-kube-config.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true }
users:
- name: u1
  user: { token: abc }
contexts:
- name: ctx1
  context: { cluster: c1, user: u1 }
current-context: ctx1
`;

test('an explicit kubeconfig file selects its current context', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ambit-kubeconfig-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config');
  await writeFile(file, KUBECONFIG);
  const kc = loadKubeConfig({ kubeconfigPath: file });
  t.is(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  t.is(kc.getCurrentUser()?.token, 'abc');
});

test('a missing kubeconfig file is AMBIT_ERR_CONFIG', (t) => {
  const err = t.throws(() => loadKubeConfig({ kubeconfigPath: path.join(tmpdir(), 'ambit-does-not-exist', 'config') }));
  t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'));
});
