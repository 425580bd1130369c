// Privileged (root): the `ambit local` runtime through its real CLI, on a 2-node cluster
// with a random name and a temporary state root (so it runs beside a user's cluster and
// other tests). The namespace is not ambient: the mesh is not involved (that is
// local-mesh.test.ts). Covers up (controller, both daemons and pods ready), get
// nodes/pods/svc/workloads -o json, exec across nodes to a Service name and exit-code
// passthrough, apply keeping addresses, rejected resources beside accepted ones, a
// crashed pod in get pods, label without restarts, delete, logs, proxy-config, metrics,
// and a down that leaves no namespace, link, process or state dir. Fails (never skips)
// without root. Bounded in time; cleans up in test.after.always.
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PATH, ipPath, netnsPids, systemIpRunner } from '../../cli/local/ip.js';
import type { NodeInfo, PodInfo, ServiceInfo, WorkloadInfo } from '../../cli/local/runtime-api.js';
import { clusterStateDir } from '../../cli/local/state.js';
import { ETC_NETNS_DIR, teardown } from '../../cli/local/topology.js';
import { clusterPrefix } from '../../cli/local/topology-plan.js';
import { netnsInodes, processesIn } from './host-probes.js';
import { until } from '../support/poll-until.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '..', '..', 'cli', 'main.js');
const isRoot = process.getuid?.() === 0;
const ci = process.env.CI === 'true';

interface Run { code: number; stdout: string; stderr: string; ms: number }

function describe(r: Run): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

function run(file: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(file, [...args], {
      timeout: opts.timeoutMs ?? 20_000, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, env: opts.env ?? { PATH: SYSTEM_PATH, LC_ALL: 'C' },
    }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
      const code = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed ? `\n(killed after ${opts.timeoutMs ?? 20_000} ms)` : ''), ms: Date.now() - started });
    });
    child.stdin?.on('error', () => undefined); // a command that does not read stdin may exit first
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

const cluster = `r${randomBytes(4).toString('hex')}`;
/** A second cluster, for the crash test. */
const crashCluster = `c${randomBytes(4).toString('hex')}`;
let stateRoot = '';
let work = '';
let stateDir = '';
let upAttempted = false;

/** `ambit local …` against this test's cluster (flags, except where a test uses the environment). */
function local(args: readonly string[], opts: { timeoutMs?: number; input?: string; cluster?: string } = {}): Promise<Run> {
  // The flags go right after the subcommand: after `--`, exec passes everything to the command.
  const [cmd = '', ...rest] = args;
  return run(process.execPath, [CLI, 'local', cmd, '--cluster', opts.cluster ?? cluster, '--state-root', stateRoot, ...rest], { ...opts, env: { PATH: SYSTEM_PATH, LC_ALL: 'C', HOME: '/root' } });
}

async function json<T>(t: ExecutionContext, args: readonly string[]): Promise<T> {
  const r = await local([...args, '-o', 'json']);
  t.is(r.code, 0, describe(r));
  return JSON.parse(r.stdout) as T;
}

const ip = (args: readonly string[]): Promise<Run> => run(ipPath(), args);


function hasHttpbin(): boolean {
  return existsSync('/usr/bin/gunicorn') && existsSync('/usr/lib/python3/dist-packages/httpbin/core.py');
}

function daemonExists(): boolean {
  return existsSync(path.resolve(here, '..', '..', 'cli', 'commands', 'daemon.js'));
}

const useHttpbin = hasHttpbin();
const HTTPBIN_CONTAINER = useHttpbin
  ? `      - name: httpbin
        image: docker.io/kennethreitz/httpbin
        ports:
        - containerPort: 80`
  : `      - name: httpbin
        image: docker.io/kennethreitz/httpbin
        command: [python3, -m, http.server, '80']
        ports:
        - containerPort: 80`;

const APP = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: httpbin
---
apiVersion: v1
kind: Service
metadata:
  name: httpbin
spec:
  ports:
  - name: http
    port: 8000
    targetPort: 80
  selector:
    app: httpbin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin
spec:
  replicas: 2
  selector:
    matchLabels:
      app: httpbin
  template:
    metadata:
      labels:
        app: httpbin
    spec:
      serviceAccountName: httpbin
      containers:
${HTTPBIN_CONTAINER}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
spec:
  selector:
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "infinity"]
`;

const ECHO = `apiVersion: v1
kind: Service
metadata:
  name: files
spec:
  ports:
  - name: http
    port: 9090
  selector:
    app: files
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: files
spec:
  replicas: 1
  selector:
    matchLabels:
      app: files
  template:
    metadata:
      labels:
        app: files
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: files
        image: busybox
        command: [python3, -m, http.server, '9090', --directory, /usr/share/doc]
        ports:
        - containerPort: 9090
`;

const MIXED = `apiVersion: v1
kind: Service
metadata:
  name: bad-port
spec:
  ports:
  - port: 99999
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: fine
---
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: crash
    image: busybox
    command: [sh, -c, 'echo about to crash; sleep 1; exit 3']
`;

interface HostSnapshot { links: string[]; routes: string }

async function hostSnapshot(): Promise<HostSnapshot> {
  const links = (await ip(['-o', 'link', 'show'])).stdout.split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((x): x is string => !!x).sort();
  return { links, routes: (await ip(['route', 'show', 'table', 'all'])).stdout };
}

/** Processes whose command line mentions `text` (the runtime and the daemons carry the state root). */
function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(text) && Number(pid) !== process.pid) out.push(`${pid} ${cmd.slice(0, 200)}`);
    } catch {
      // gone
    }
  }
  return out;
}

async function ourNetns(of = cluster): Promise<string[]> {
  return (await ip(['netns', 'list'])).stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n.startsWith(clusterPrefix(of)));
}

function recordedPid(dir: string, key: string): number {
  return (JSON.parse(readFileSync(path.join(dir, 'processes', `${key}.json`), 'utf8')) as { pid: number }).pid;
}

let hostBefore: HostSnapshot | undefined;
let firstPods: PodInfo[] = [];

if (!isRoot) {
  // Never skipped: `make test` runs as root; without root this fails, saying why.
  test('local runtime CLI (needs root)', (t) => {
    t.fail(`test/privileged/local-runtime needs root${ci ? ' (CI=true)' : ''}: run make test as root`);
  });
} else {
  work = mkdtempSync(path.join(os.tmpdir(), `ambit-rt-${cluster}-`));
  stateRoot = path.join(work, 'state');
  stateDir = clusterStateDir(cluster, stateRoot);
  writeFileSync(path.join(work, 'app.yaml'), APP);
  writeFileSync(path.join(work, 'echo.yaml'), ECHO);
  writeFileSync(path.join(work, 'mixed.yaml'), MIXED);

  test.after.always('down, then teardown from the state dir and a sweep if anything is left', async (t) => {
    for (const c of [cluster, crashCluster]) {
      const dir = clusterStateDir(c, stateRoot);
      if (upAttempted && existsSync(dir)) {
        const r = await local(['down'], { timeoutMs: 60_000, cluster: c });
        if (r.code !== 0) t.log(`cleanup: down ${c}: ${describe(r)}`);
      }
      if (existsSync(dir)) {
        try {
          await teardown(dir, { graceMs: 1_000 });
        } catch (err) {
          t.log(`cleanup: teardown ${c}: ${(err as Error).message}`);
        }
      }
      const runner = systemIpRunner();
      for (const n of await ourNetns(c)) {
        for (const pid of await netnsPids(runner, n)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        await ip(['netns', 'del', n]);
        t.log(`cleanup: deleted leftover netns ${n}`);
      }
      for (const n of existsSync(ETC_NETNS_DIR) ? readdirSync(ETC_NETNS_DIR) : []) {
        if (n.startsWith(clusterPrefix(c))) rmSync(path.join(ETC_NETNS_DIR, n), { recursive: true, force: true });
      }
    }
    for (const p of processesMentioning(stateRoot)) {
      try { process.kill(Number(p.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(work, { recursive: true, force: true });
  });

  test.serial('up: controller, both daemons and the pods are ready when it returns', async (t) => {
    t.timeout(150_000);
    t.true(existsSync(CLI), `${CLI} is missing: build first`);
    if (!useHttpbin) t.log('python3-httpbin/gunicorn not installed: httpbin runs python3 -m http.server');
    hostBefore = await hostSnapshot();
    const none = await local(['get', 'pods']);
    t.not(none.code, 0, 'get before up');
    t.regex(none.stderr, /AMBIT_ERR_LOCAL_NO_CLUSTER/);

    upAttempted = true;
    const up = await local(['up', '-f', path.join(work, 'app.yaml'), '--nodes', '2', '--timeout', '100s'], { timeoutMs: 130_000 });
    t.log(`up: ${up.ms} ms`);
    t.is(up.code, 0, describe(up));
    t.regex(up.stdout, /deployment\.apps\/httpbin created/);

    const again = await local(['up']);
    t.not(again.code, 0);
    t.regex(again.stderr, /already up/);

    const nodes = await json<NodeInfo[]>(t, ['get', 'nodes']);
    t.deepEqual(nodes.map((n) => [n.name, n.ip, n.podCidr]), [['node-1', '172.18.0.1', '10.244.1.0/24'], ['node-2', '172.18.0.2', '10.244.2.0/24']]);
    if (daemonExists()) t.deepEqual(nodes.map((n) => [n.name, n.daemon.status, n.daemon.ready]), [['node-1', 'Ready', true], ['node-2', 'Ready', true]]);

    const pods = await json<PodInfo[]>(t, ['get', 'pods']);
    t.is(pods.length, 3, JSON.stringify(pods));
    for (const p of pods) {
      t.is(p.status, 'Running', `${p.name}`);
      t.true(p.ready, `${p.name} ready (ports listening) when up returned`);
      t.regex(p.ip, /^10\.244\.[12]\.\d+$/);
      t.is(p.mesh, 'no', 'namespace default is not ambient');
    }
    const httpbins = pods.filter((p) => p.deployment === 'httpbin');
    t.deepEqual(httpbins.map((p) => p.node).sort(), ['node-1', 'node-2'], 'replicas spread over the nodes');
    t.is(httpbins[0]?.serviceAccount, 'httpbin');
    t.is(httpbins[0]?.labels.app, 'httpbin');
    firstPods = pods;

    const svcs = await json<ServiceInfo[]>(t, ['get', 'svc']);
    t.is(svcs.length, 1);
    t.regex(svcs[0]?.clusterIP ?? '', /^10\.96\.\d+\.\d+$/);
    t.deepEqual(svcs[0]?.ports, [{ name: 'http', port: 8000, targetPort: 80, protocol: 'TCP' }]);

    const workloads = await json<WorkloadInfo[]>(t, ['get', 'workloads', '-A']);
    t.deepEqual(workloads.map((w) => w.name).sort(), pods.map((p) => p.name).sort());
    t.true(workloads.every((w) => w.protocol === 'NONE'));
    t.is(workloads.find((w) => w.name === httpbins[0]?.name)?.identity, 'spiffe://cluster.local/ns/default/sa/httpbin');

    const table = await local(['get', 'pods']);
    t.regex(table.stdout.split('\n')[0] ?? '', /^NAME\s+STATUS\s+IP\s+NODE\s+MESH$/);
  });

  test.serial('exec: curl from sleep to the Service name and to the replica on the other node; stdio and exit code passed through', async (t) => {
    t.timeout(60_000);
    const sleep = firstPods.find((p) => p.deployment === 'sleep');
    const far = firstPods.find((p) => p.deployment === 'httpbin' && p.node !== sleep?.node);
    t.truthy(sleep && far);
    if (!sleep || !far) return;
    for (const url of ['http://httpbin:8000/get', 'http://httpbin.default.svc.cluster.local:8000/get', `http://${far.ip}:80/get`]) {
      const r = await until(url, async () => {
        const x = await local(['exec', 'deploy/sleep', '--', 'curl', '-sS', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', url]);
        return x.code === 0 && x.stdout === '200' ? x : undefined;
      }, 20_000).catch((err: Error) => err);
      t.false(r instanceof Error, `${url}: ${r instanceof Error ? r.message : ''}`);
    }
    const ex = await local(['exec', sleep.name, '--', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 7']);
    t.is(ex.code, 7, describe(ex));
    t.is(ex.stdout, 'to-stdout\n');
    t.regex(ex.stderr, /to-stderr/);
    const hostname = await local(['exec', 'deploy/sleep', '--', 'sh', '-c', 'echo $HOSTNAME; getent hosts httpbin']);
    t.regex(hostname.stdout, new RegExp(`^${sleep.name}\\n10\\.96\\.`));
    const missing = await local(['exec', 'deploy/nothing', '--', 'true']);
    t.not(missing.code, 0);
    t.regex(missing.stderr, /no pod of deployment nothing in namespace default/);
  });

  test.serial('apply: a new Service and Deployment (from stdin); the first pods keep their addresses and processes', async (t) => {
    t.timeout(90_000);
    const before = new Map(firstPods.map((p) => [p.name, p]));
    const svcBefore = await json<ServiceInfo[]>(t, ['get', 'svc']);
    const r = await local(['apply', '-f', '-'], { input: ECHO, timeoutMs: 80_000 });
    t.is(r.code, 0, describe(r));
    t.regex(r.stdout, /service\/files created\ndeployment\.apps\/files created/);
    const pods = await json<PodInfo[]>(t, ['get', 'pods']);
    t.is(pods.length, 4);
    for (const p of pods) {
      const old = before.get(p.name);
      if (!old) continue;
      t.is(p.ip, old.ip, `${p.name} kept its IP`);
      t.deepEqual(p.containers.map((c) => c.pid), old.containers.map((c) => c.pid), `${p.name} was not restarted`);
    }
    const files = pods.find((p) => p.deployment === 'files');
    t.is(files?.status, 'Running');
    t.true(files?.ready, 'apply returned with port 9090 listening');
    const svcs = await json<ServiceInfo[]>(t, ['get', 'svc']);
    t.is(svcs.find((s) => s.name === 'httpbin')?.clusterIP, svcBefore[0]?.clusterIP, 'the first Service kept its ClusterIP');
    const curl = await local(['exec', 'deploy/sleep', '--', 'curl', '-sS', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', 'http://files:9090/']);
    t.is(curl.stdout, '200', describe(curl));
    const same = await local(['apply', '-f', path.join(work, 'echo.yaml')], { timeoutMs: 60_000 });
    t.is(same.code, 0, describe(same));
    t.regex(same.stdout, /service\/files unchanged\ndeployment\.apps\/files unchanged/);
  });

  test.serial('apply: rejected resources are named with field and reason; the valid ones are applied; a crashed pod shows in get pods', async (t) => {
    t.timeout(90_000);
    const r = await local(['apply', '-f', path.join(work, 'mixed.yaml')], { timeoutMs: 80_000 });
    t.is(r.code, 1, describe(r));
    t.regex(r.stderr, /mixed\.yaml: ERROR Service default\/bad-port: spec\.ports\[0\]\.port: port number 99999 must be in the range 1\.\.65535/);
    t.regex(r.stdout, /serviceaccount\/fine created/);
    t.regex(r.stdout, /pod\/crash created/);
    const crashed = await until('the crash pod to be Error(exit code 3)', async () => {
      const pods = await json<PodInfo[]>(t, ['get', 'pods']);
      const c = pods.find((p) => p.name === 'crash');
      return c?.status === 'Error(exit code 3)' ? c : undefined;
    }, 20_000);
    t.false(crashed.ready);
    const table = await local(['get', 'pods']);
    t.regex(table.stdout, /^crash\s+Error\(exit code 3\)\s+10\.244\./m);
    const logs = await local(['logs', 'crash']);
    t.is(logs.code, 0, describe(logs));
    t.regex(logs.stdout, /about to crash/);
    const svcs = await json<ServiceInfo[]>(t, ['get', 'svc']);
    t.false(svcs.some((s) => s.name === 'bad-port'), 'the invalid Service was not applied');
  });

  test.serial('label: namespace and pod labels reach the controller without restarting anything', async (t) => {
    t.timeout(60_000);
    const before = await json<PodInfo[]>(t, ['get', 'pods']);
    const httpbin = before.find((p) => p.deployment === 'httpbin')!;
    const ns = await local(['label', 'ns', 'default', 'team=blue']);
    t.is(ns.code, 0, describe(ns));
    t.is(ns.stdout, 'namespace/default labeled\n');
    const on = await local(['label', 'pod', httpbin.name, 'istio.io/dataplane-mode=ambient', 'extra=1']);
    t.is(on.code, 0, describe(on));
    let pods = await json<PodInfo[]>(t, ['get', 'pods']);
    let labelled = pods.find((p) => p.name === httpbin.name)!;
    t.is(labelled.mesh, 'yes', 'the controller model has the pod in the mesh');
    t.is(labelled.labels.extra, '1');
    t.deepEqual(labelled.containers.map((c) => c.pid), httpbin.containers.map((c) => c.pid), 'not restarted');
    t.is(labelled.ip, httpbin.ip);
    const off = await local(['label', 'pod', httpbin.name, 'istio.io/dataplane-mode-', 'extra-']);
    t.is(off.code, 0, describe(off));
    pods = await json<PodInfo[]>(t, ['get', 'pods']);
    labelled = pods.find((p) => p.name === httpbin.name)!;
    t.is(labelled.mesh, 'no');
    t.is(labelled.labels.extra, undefined);
    for (const p of pods) {
      const old = before.find((x) => x.name === p.name);
      if (old && old.status === 'Running') t.deepEqual(p.containers.map((c) => c.pid), old.containers.map((c) => c.pid), `${p.name} not restarted`);
    }
    const bad = await local(['label', 'pod', 'ghost', 'a=b']);
    t.not(bad.code, 0);
    t.regex(bad.stderr, /pod default\/ghost not found/);
  });

  test.serial('delete: the pods and their namespaces go; the rest stays', async (t) => {
    t.timeout(60_000);
    const pods = await json<PodInfo[]>(t, ['get', 'pods']);
    const files = pods.find((p) => p.deployment === 'files')!;
    const r = await local(['delete', '-f', path.join(work, 'echo.yaml')], { timeoutMs: 50_000 });
    t.is(r.code, 0, describe(r));
    t.regex(r.stdout, /service\/files deleted\ndeployment\.apps\/files deleted/);
    const after = await json<PodInfo[]>(t, ['get', 'pods']);
    t.false(after.some((p) => p.deployment === 'files'));
    t.false((await ourNetns()).includes(files.netns), 'the deleted pod\'s netns is gone');
    t.deepEqual(after.filter((p) => p.deployment === 'httpbin').map((p) => p.ip).sort(), firstPods.filter((p) => p.deployment === 'httpbin').map((p) => p.ip).sort());
    const hosts = await local(['exec', 'deploy/sleep', '--', 'getent', 'hosts', 'files']);
    t.not(hosts.code, 0, 'the deleted Service no longer resolves');
    const gone = await local(['delete', '-f', path.join(work, 'echo.yaml')]);
    t.is(gone.code, 1);
    t.regex(gone.stderr, /service\/files not found/);
  });

  test.serial('logs, proxy-config and metrics', async (t) => {
    t.timeout(60_000);
    const controller = await local(['logs', 'controller']);
    t.is(controller.code, 0, describe(controller));
    t.regex(controller.stdout, /"component":"controller".*"msg":"model published"/);
    const node = await local(['logs', 'node/node-1']);
    t.is(node.code, 0, describe(node));
    t.true(node.stdout.length > 0);
    const pod = await local(['logs', 'deploy/httpbin']);
    t.is(pod.code, 0, describe(pod));
    if (useHttpbin) t.regex(pod.stdout, /Booting worker|GET \/get/);
    if (!daemonExists()) {
      t.log('the daemon command is not built: proxy-config and metrics not checked');
      return;
    }
    const dump = await local(['proxy-config', 'node-1', 'workloads', '-o', 'json']);
    t.is(dump.code, 0, describe(dump));
    const workloads = JSON.parse(dump.stdout) as { name?: string; node?: string }[];
    t.true(Array.isArray(workloads));
    t.true(firstPods.every((p) => workloads.some((w) => w.name === p.name)), 'node-1 knows every workload');
    const all = await local(['proxy-config', 'node-1']);
    t.is(all.code, 0, describe(all));
    const whole = JSON.parse(all.stdout) as Record<string, unknown>;
    for (const key of ['node', 'workloads', 'services', 'policies', 'certificates']) t.true(key in whole, key);
    const metrics = await local(['metrics', 'node-2']);
    t.is(metrics.code, 0, describe(metrics));
    t.regex(metrics.stdout, /^# (HELP|TYPE) /m);
    const noNode = await local(['metrics', 'node-9']);
    t.not(noNode.code, 0);
    t.regex(noNode.stderr, /no node node-9/);
  });

  test.serial('down: no namespace, link, process, /etc/netns dir or state dir is left', async (t) => {
    t.timeout(90_000);
    const names = await ourNetns();
    t.true(names.length >= 6, names.join(', '));
    const inodes = netnsInodes(names);
    const r = await local(['down'], { timeoutMs: 80_000 });
    t.is(r.code, 0, describe(r));
    t.regex(r.stdout, new RegExp(`local cluster "${cluster}" deleted`));
    t.deepEqual(await ourNetns(), [], 'namespaces left');
    t.deepEqual(processesIn(inodes), [], 'processes left in our namespaces');
    t.deepEqual(processesMentioning(stateRoot), [], 'runtime or daemon processes left');
    t.false(existsSync(stateDir), 'state dir left');
    t.deepEqual((existsSync(ETC_NETNS_DIR) ? readdirSync(ETC_NETNS_DIR) : []).filter((n) => n.startsWith(clusterPrefix(cluster))), [], '/etc/netns dirs left');
    const after = await hostSnapshot();
    const ours = (l: string): boolean => /^(av[0-9a-f]{12}|node-\d+|br0|eth0)$/.test(l);
    t.deepEqual(after.links.filter((l) => !hostBefore?.links.includes(l) && ours(l)), [], 'links left in the host netns');
    t.is(after.routes, hostBefore?.routes ?? after.routes, 'host routes changed');
    const twice = await local(['down']);
    t.is(twice.code, 0, describe(twice));
    t.regex(twice.stdout, /no local cluster/);
  });

  test.serial('a daemon that dies is restarted; after the runtime is killed, down still removes everything', async (t) => {
    t.timeout(120_000);
    const dir = clusterStateDir(crashCluster, stateRoot);
    const up = await local(['up', '--nodes', '1', '-f', path.join(work, 'echo.yaml')], { timeoutMs: 100_000, cluster: crashCluster });
    t.is(up.code, 0, describe(up));
    if (daemonExists()) {
      process.kill(recordedPid(dir, 'ambit-system_node-1_daemon'), 'SIGKILL');
      const node = await until('node-1\'s daemon to be restarted and ready', async () => {
        const r = await local(['get', 'nodes', '-o', 'json'], { cluster: crashCluster });
        const n = (JSON.parse(r.stdout) as NodeInfo[])[0];
        return n && n.daemon.restarts >= 1 && n.daemon.ready ? n : undefined;
      }, 30_000);
      t.is(node.daemon.lastExit, 'Error(signal SIGKILL)');
      const log = await local(['logs', 'controller'], { cluster: crashCluster });
      t.regex(log.stdout, /node daemon on node-1 exited \(Error\(signal SIGKILL\)\); restarting in \d+ ms/);
    }
    const names = await ourNetns(crashCluster);
    t.is(names.length, 3, names.join(', '));
    const inodes = netnsInodes(names);
    process.kill(recordedPid(dir, 'ambit-system_runtime_runtime'), 'SIGKILL');
    const orphaned = await local(['get', 'pods'], { cluster: crashCluster });
    t.not(orphaned.code, 0);
    t.regex(orphaned.stderr, /AMBIT_ERR_LOCAL_NO_CLUSTER: the runtime of local cluster .* is not running/);
    const down = await local(['down'], { timeoutMs: 60_000, cluster: crashCluster });
    t.is(down.code, 0, describe(down));
    t.regex(down.stdout, /leftover processes stopped/);
    t.deepEqual(await ourNetns(crashCluster), []);
    t.deepEqual(processesIn(inodes), []);
    t.deepEqual(processesMentioning(dir), []);
    t.false(existsSync(dir));
  });
}
