// Privileged (root, network namespaces): a real 2-node local cluster with 3 pods.
// Pod-to-pod connectivity on one node and across nodes with curl, names from the
// per-pod hosts file, a crashed process reported, pod processes whose supervisor was
// SIGKILLed, and a teardown that leaves no namespace, link, file or process behind and
// the host's links, routes and rules as they were. Skips when not root, except under
// CI=true, where it fails. Cleans up on failure; bounded in time.
import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../controller/config/resource.js';
import { SYSTEM_PATH, ipPath, netnsPids } from '../../cli/local/ip.js';
import { podLaunch } from '../../cli/local/launch.js';
import { materialize } from '../../cli/local/materialize.js';
import { podEtcFiles } from '../../cli/local/names.js';
import { Supervisor, isRecordAlive, podStatus, processStatus, readProcessRecords, type LaunchSpec, type ProcessRecord } from '../../cli/local/supervisor.js';
import { applyTopology, teardown, ETC_NETNS_DIR } from '../../cli/local/topology.js';
import { clusterPrefix, nodeIp, planPodsOf, planTopology, type TopologyPlan } from '../../cli/local/topology-plan.js';
import { systemIpRunner } from '../../cli/local/ip.js';
import { hostSnapshot, netnsInodes, processesIn } from './host-probes.js';
import { until } from '../support/poll-until.js';

/** "<pid> in <netns>" with the process's command line, for a failure message. */
function withCommandLine(entry: string): string {
  const pid = entry.split(' ')[0] ?? '';
  try {
    return `${entry}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`;
  } catch {
    return entry;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const isRoot = process.getuid?.() === 0;
const TEST_BUDGET_MS = 150_000;

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: readonly string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, env: { PATH: SYSTEM_PATH, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const ip = (args: readonly string[]): Promise<Run> => run(ipPath(), args);
const inPod = (netns: string, argv: readonly string[], timeoutMs = 10_000): Promise<Run> => run(ipPath(), ['netns', 'exec', netns, ...argv], timeoutMs);

function hasHttpbin(): boolean {
  return existsSync('/usr/bin/gunicorn') && existsSync('/usr/lib/python3/dist-packages/httpbin/core.py');
}

/** The Istio samples, reduced: httpbin (2 replicas, one per node) and sleep, plus a container that crashes. */
function manifests(useHttpbin: boolean): KubeObject[] {
  const httpbinContainer = useHttpbin
    ? { name: 'httpbin', image: 'docker.io/kennethreitz/httpbin', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80 }] }
    : { name: 'httpbin', image: 'docker.io/kennethreitz/httpbin', command: ['python3', '-m', 'http.server', '80'], ports: [{ containerPort: 80 }] };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'httpbin' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'httpbin', labels: { app: 'httpbin' } }, spec: { ports: [{ name: 'http', port: 8000, targetPort: 80 }], selector: { app: 'httpbin' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'httpbin' }, spec: { replicas: 2, selector: { matchLabels: { app: 'httpbin' } }, template: { metadata: { labels: { app: 'httpbin', version: 'v1' } }, spec: { serviceAccountName: 'httpbin', containers: [httpbinContainer] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sleep' }, spec: { ports: [{ name: 'http', port: 80 }], selector: { app: 'sleep' } } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep' },
      spec: { selector: { matchLabels: { app: 'sleep' } }, template: { metadata: { labels: { app: 'sleep' } }, spec: { terminationGracePeriodSeconds: 0, serviceAccountName: 'sleep', containers: [
        { name: 'sleep', image: 'curlimages/curl', command: ['/bin/sleep', 'infinity'], imagePullPolicy: 'IfNotPresent' },
        { name: 'crash', image: 'busybox', command: ['sh', '-c', 'echo "about to fail in $POD_NAME"; sleep 0.3; exit 3'], env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
      ] } } },
    },
  ];
}


/** Last resort after a failed teardown: only names with this run's unique prefix. */
async function forceCleanup(cluster: string): Promise<void> {
  const prefix = clusterPrefix(cluster);
  const names = (await ip(['netns', 'list'])).stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n.startsWith(prefix));
  const runner = systemIpRunner();
  for (const n of names) for (const pid of await netnsPids(runner, n)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const n of names) await ip(['netns', 'del', n]);
  for (const n of existsSync(ETC_NETNS_DIR) ? readdirSync(ETC_NETNS_DIR) : []) if (n.startsWith(prefix)) rmSync(path.join(ETC_NETNS_DIR, n), { recursive: true, force: true });
}

async function scenario(t: ExecutionContext, cluster: string, stateDir: string, work: string): Promise<void> {
  const before = await hostSnapshot();
  const useHttpbin = hasHttpbin();
  if (!useHttpbin) t.log('python3-httpbin/gunicorn not installed: httpbin pods run python3 -m http.server instead');
  const nodes = ['node-1', 'node-2'];
  const objects = materialize(manifests(useHttpbin), { nodes });
  const pods = objects.filter((o) => o.kind === 'Pod');
  t.is(pods.length, 3);
  const plan: TopologyPlan = planTopology({ cluster, nodes, pods: planPodsOf(objects, (p) => podEtcFiles(p, objects)) });
  const layout = (pod: KubeObject): TopologyPlan['pods'][number] => plan.pods.find((p) => p.name === pod.metadata.name)!;
  const sleep = layout(pods.find((p) => p.metadata.labels?.app === 'sleep')!);
  const httpbins = pods.filter((p) => p.metadata.labels?.app === 'httpbin').map(layout);
  const near = httpbins.find((p) => p.node === sleep.node)!;
  const far = httpbins.find((p) => p.node !== sleep.node)!;
  t.truthy(near, 'an httpbin replica on the sleep pod\'s node');
  t.truthy(far, 'an httpbin replica on the other node');
  const clusterIp = (objects.find((o) => o.kind === 'Service' && o.metadata.name === 'httpbin')!.spec as { clusterIP: string }).clusterIP;

  await applyTopology(plan, stateDir);
  const ours = plan.ops.flatMap((o) => (o.op === 'netns-add' ? [o.netns] : []));
  const inodes = netnsInodes(ours);
  t.is(inodes.size, ours.length);

  // Nothing appeared in or vanished from the host netns; the host's routes and rules are untouched.
  const during = await hostSnapshot();
  t.deepEqual([...before.links].filter((l) => !during.links.has(l)), [], 'host links removed');
  const ourLinkNames = new Set(plan.ops.flatMap((o) => (o.op === 'veth-add' ? [o.name, o.peerName] : o.op === 'bridge-add' ? [o.name] : [])));
  t.deepEqual([...during.links].filter((l) => !before.links.has(l) && ourLinkNames.has(l)), [], 'our links in the host netns');
  t.is(during.routes, before.routes);
  t.is(during.rules, before.rules);

  // Processes: httpbin pods under a supervisor in another process (killed later), sleep pod here.
  const launches = new Map(pods.map((p) => [p.metadata.name, podLaunch(p, { netns: layout(p).netns, nodeIp: nodeIp(layout(p).node) }).specs]));
  const specsFile = path.join(work, 'specs.json');
  const childSpecs: LaunchSpec[] = httpbins.flatMap((h) => launches.get(h.name)!);
  writeFileSync(specsFile, JSON.stringify(childSpecs));
  const child = spawn(process.execPath, [path.join(here, 'local-supervisor-child.js'), specsFile, stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  const childPids = await new Promise<number[]>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve((JSON.parse(buf.split('\n')[0]!) as { pids: number[] }).pids);
    });
    child.once('exit', (code) => reject(new Error(`supervisor child exited with ${code}`)));
  });
  t.is(childPids.length, 2);

  const exits: string[] = [];
  const sup = new Supervisor(stateDir, { onExit: (r, s) => exits.push(`${r.container}: ${s.text}`) });
  for (const s of launches.get(sleep.name)!) sup.start(s);

  // Pod to pod with a real client, same node and across nodes; httpbin sees the client's pod IP (routed, no NAT).
  for (const target of [near, far]) {
    const url = `http://${target.ip}:80/get`;
    const res = await until(`${url} from the sleep pod`, async () => {
      const r = await inPod(sleep.netns, ['curl', '-sS', '-m', '3', '-o', '-', '-w', '\n%{http_code}', url]);
      return r.code === 0 && r.stdout.endsWith('\n200') ? r : undefined;
    }, 20_000);
    if (useHttpbin) t.is((JSON.parse(res.stdout.slice(0, res.stdout.lastIndexOf('\n'))) as { origin: string }).origin, sleep.ip, `origin seen by ${target.node}`);
  }
  const cross = await inPod(near.netns, ['curl', '-sS', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', `http://${far.ip}:80/status/200`]);
  t.is(cross.stdout, '200', `httpbin to httpbin across nodes: ${cross.stderr}`);

  // No way out of the cluster: the node has no route beyond the pod CIDRs.
  const out = await inPod(sleep.netns, ['curl', '-sS', '-m', '2', 'http://192.0.2.1/'], 5_000);
  t.not(out.code, 0, 'reached an address outside the cluster');

  // Names from the pod's hosts file.
  for (const name of ['httpbin', 'httpbin.default', 'httpbin.default.svc.cluster.local']) {
    const r = await inPod(sleep.netns, ['getent', 'hosts', name]);
    t.is(r.stdout.trim().split(/\s+/)[0], clusterIp, `getent hosts ${name}`);
  }
  t.not((await inPod(sleep.netns, ['getent', 'hosts', 'example.com'], 5_000)).code, 0, 'an outside name resolved');
  t.regex((await inPod(sleep.netns, ['cat', '/etc/resolv.conf'])).stdout, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);

  // The crashing container is reported, and so is its pod.
  const crashKey = `default_${sleep.name}_crash`;
  await until('the crash container to exit', () => Promise.resolve(readProcessRecords(stateDir).find((r) => r.key === crashKey && r.exit) ?? undefined), 10_000);
  t.deepEqual(exits, ['crash: Error(exit code 3)']);
  exits.length = 0;
  const sleepRecords = readProcessRecords(stateDir).filter((r) => r.pod === sleep.name);
  t.is(podStatus(sleepRecords).text, 'Error(exit code 3)');
  t.is(processStatus(sleepRecords.find((r) => r.container === 'sleep')!).text, 'Running');
  t.regex(readFileSync(sleepRecords.find((r) => r.container === 'crash')!.log, 'utf8'), new RegExp(`about to fail in ${sleep.name}`));
  if (useHttpbin) t.regex(readFileSync(readProcessRecords(stateDir).find((r) => r.pod === near.name)!.log, 'utf8'), /"GET \/get HTTP\/1\.1" 200/);

  // A node-level process (like the daemon) can keep the host's mounts (bpffs, cgroups) while in the node netns.
  const node1 = plan.nodes[0]!;
  const daemonLike = sup.start({ namespace: 'ambit-system', pod: node1.name, container: 'probe', netns: node1.netns, keepMounts: true, env: { PATH: SYSTEM_PATH }, argv: ['sh', '-c', 'ip -o -4 addr show dev eth0; readlink /proc/self/ns/mnt'] });
  const probed = await sup.waitExit(daemonLike.key);
  t.is(probed && processStatus(probed).text, 'Completed');
  const probeLog = readFileSync(daemonLike.log, 'utf8');
  t.true(probeLog.includes(`inet ${node1.ip}/24`), probeLog);
  t.true(probeLog.includes(readlinkSync('/proc/self/ns/mnt')), 'keepMounts process is in the host mount namespace');

  // The httpbin supervisor crashes; its pods keep running, still known from the state dir.
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const orphans: ProcessRecord[] = readProcessRecords(stateDir).filter((r) => childPids.includes(r.pid ?? -1));
  t.is(orphans.length, 2);
  t.true(orphans.every((r) => processStatus(r).text === 'Running'));

  // down: nothing left.
  const result = await teardown(stateDir, { graceMs: 2_000 });
  t.true(result.deleted.length > 0);
  t.true(orphans.every((r) => !isRecordAlive(r)), 'orphaned pod processes survived teardown');
  // A SIGKILLed process can still show in its namespace for a moment on a busy machine
  // (the other privileged suites run meanwhile): gone within 5 s, or named with its command line.
  const deadline = Date.now() + 5_000;
  let left = processesIn(inodes);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = processesIn(inodes);
  }
  t.deepEqual(left.map(withCommandLine), [], 'processes left in our namespaces');
  const after = await hostSnapshot();
  t.deepEqual([...after.netns].filter((n) => n.startsWith(clusterPrefix(cluster))), [], 'namespaces left');
  // Other privileged test files make and remove their own clusters meanwhile (eBPF: ambit-t-…;
  // local-runtime: r/c + 8 hex; local-mesh: m + 6 hex; this file: t + 8 hex): not ours to judge.
  const otherTests = /^ambit-(t|[trcm][0-9a-f]{6}|[trcm][0-9a-f]{8})-/;
  t.deepEqual([...before.netns].filter((n) => !otherTests.test(n) && !after.netns.has(n)), [], 'a namespace we did not create is gone');
  t.deepEqual([...before.links].filter((l) => !after.links.has(l)), [], 'host links removed');
  t.deepEqual([...after.links].filter((l) => !before.links.has(l) && ourLinkNames.has(l)), [], 'links left in the host netns');
  t.is(after.routes, before.routes);
  t.is(after.rules, before.rules);
  t.false(existsSync(stateDir), 'state dir left');
  t.deepEqual(ours.filter((n) => existsSync(path.join(ETC_NETNS_DIR, n))), [], '/etc/netns dirs left');
}

if (!isRoot) {
  // Never skipped: `make test` runs as root (it installs packages); without root this fails, saying why.
  test('local topology (needs root)', (t) => {
    t.fail('the privileged local-topology test must run as root: run make test as root');
  });
} else {
  test('local topology: 2 nodes, 3 pods, connectivity, names, crash reporting, clean teardown', async (t) => {
    t.timeout(TEST_BUDGET_MS);
    const cluster = `t${randomBytes(4).toString('hex')}`;
    const work = mkdtempSync(path.join(os.tmpdir(), `ambit-${cluster}-`));
    const stateDir = path.join(work, 'state');
    try {
      await scenario(t, cluster, stateDir, work);
    } finally {
      // Idempotent when the scenario already tore down; the real cleanup when it failed midway.
      try {
        await teardown(stateDir, { graceMs: 500 });
      } catch (err) {
        t.log(`teardown after failure: ${(err as Error).message}`);
        await forceCleanup(cluster);
      }
      rmSync(work, { recursive: true, force: true });
    }
  });
}
