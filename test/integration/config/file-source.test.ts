// The controller on a watched YAML directory, with a daemon connected: edits flow
// through; a broken file or an invalid resource never disturbs the valid configuration.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../api/log.js';
import { Controller } from '../../../controller/controller.js';
import { tokenFile } from '../../../controller/auth/bootstrap-tokens.js';
import { FileSource } from '../../../controller/sources/file-source.js';
import type { ConfigSink } from '../../../controller/sources/source.js';
import { controllerCredentials } from '../../../daemon/controller-connection.js';
import { DiscoveryClient } from '../../../daemon/state/discovery-client.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import { waitFor } from '../../support/controller-harness.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Pod
metadata: {name: httpbin-a, namespace: default, labels: {app: httpbin}}
spec: {nodeName: node-1, serviceAccountName: httpbin, containers: [{name: c, ports: [{containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.1.2}
`;
const POLICY = (ns: string): string => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: default}
spec:
  rules:
  - from: [{source: {namespaces: [${ns}]}}]
`;
const BROKEN_POLICY = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: default}
spec:
  action: DENY
`;

test('file edits reach the daemon; invalid resources and broken YAML change nothing', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-files-'));
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-state-'));
  writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER);
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY('default'));
  const source = new FileSource({ paths: [dir], log: silentLogger(), settleMs: 20 });
  const controller = new Controller({ stateDir, sources: [source], log: silentLogger(), grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1, nodes: ['node-1'], debounceMs: 10, debounceMaxMs: 50 });
  await controller.start();
  const state = new ProxyState();
  const { credentials, channelOptions } = controllerCredentials(controller.rootCertPem);
  const token = readFileSync(tokenFile(controller.tokenDir, 'node-1'), 'utf8').trim();
  const client = new DiscoveryClient({ address: `127.0.0.1:${controller.grpcPort}`, node: 'node-1', token: () => token, credentials, channelOptions, updater: new ProxyStateUpdater(state), log: silentLogger() });
  client.start();
  t.teardown(async () => {
    client.stop();
    await controller.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });
  await waitFor(() => client.synced, 5000, 'sync');
  const namespacesOf = (): string | undefined => state.policiesByKey.get('default/allow-sleep')?.rules[0]?.clauses[0]?.matches[0]?.namespaces[0]?.exact;
  t.is(namespacesOf(), 'default');
  t.true(state.workloadByIp('10.244.1.2')?.authorizationPolicies !== undefined);

  // An edit flows through.
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY('legacy'));
  await waitFor(() => namespacesOf() === 'legacy', 5000, 'edit applied');

  // An invalid version is rejected; the last valid one stays in force.
  const version = state.version;
  writeFileSync(path.join(dir, 'policy.yaml'), BROKEN_POLICY);
  await waitFor(() => controller.store.rejectedFindings().length === 1, 5000, 'rejection');
  controller.flush();
  await new Promise((r) => setTimeout(r, 100));
  t.is(namespacesOf(), 'legacy');
  t.is(state.version, version, 'nothing was pushed');
  const metrics = await controller.metrics.registry.getSingleMetricAsString('ambit_config_rejected_total');
  t.regex(metrics, /ambit_config_rejected_total\{kind="security.istio.io\/AuthorizationPolicy"\} [1-9]/);

  // A file that no longer parses keeps what it contributed.
  writeFileSync(path.join(dir, 'cluster.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n');
  await new Promise((r) => setTimeout(r, 200));
  controller.flush();
  t.truthy(state.workloadByIp('10.244.1.2'), 'workload still known');

  // Deleting a file deletes what it contributed.
  unlinkSync(path.join(dir, 'policy.yaml'));
  await waitFor(() => !state.policiesByKey.has('default/allow-sleep'), 5000, 'deleted file removed its policy');
  t.deepEqual(controller.store.rejectedFindings(), []);
});

test('a sync parses and replaces only the files whose text changed', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-fs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER);
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY('a'));
  writeFileSync(path.join(dir, 'broken.yaml'), 'kind: [');
  const replaced: string[] = [];
  let parseErrors = 0;
  // Watch notifications would sync at unknown moments: only the explicit syncs below count.
  const source = new FileSource({ paths: [dir], log: silentLogger(), settleMs: 600_000, onParseErrors: () => { parseErrors++; } });
  const sink: ConfigSink = { apply: () => {}, replace: (_objects, origin) => { replaced.push(path.basename(origin)); } };
  await source.start(sink);
  t.teardown(() => source.stop());
  t.deepEqual(replaced.sort(), ['broken.yaml', 'cluster.yaml', 'policy.yaml']);
  t.is(parseErrors, 1);

  replaced.length = 0;
  writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER); // same text, new write
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY('b'));
  await source.sync();
  t.deepEqual(replaced, ['policy.yaml'], 'the unchanged file is neither parsed nor replaced; the broken one keeps its last objects');
  t.is(parseErrors, 2, 'a file that does not parse is reported on every sync');

  replaced.length = 0;
  unlinkSync(path.join(dir, 'policy.yaml'));
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY('b'));
  unlinkSync(path.join(dir, 'cluster.yaml'));
  await source.sync();
  t.deepEqual(replaced, ['cluster.yaml'], 'a removed file is withdrawn');
  writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER);
  await source.sync();
  t.deepEqual(replaced, ['cluster.yaml', 'cluster.yaml'], 'and read again when it comes back');
});
