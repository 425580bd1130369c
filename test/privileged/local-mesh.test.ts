// Privileged end to end (root): the real `ambit` CLI brings up a 2-node local mesh from
// examples/ plus test/privileged/fixtures/local-mesh/, and real curl clients inside pods
// check what a user of Istio ambient would: mTLS with the client's SPIFFE identity seen
// by the server side (same node and across nodes, by pod IP and by Service name, round
// robin over replicas); eBPF (tcx) capture and no iptables/nft rules; enrolling and
// un-enrolling a running pod without restarting it; an opted-out pod bypassing the mesh;
// STRICT and PERMISSIVE PeerAuthentication; AuthorizationPolicy by principal and by port;
// a node daemon killed and restarted under a stream of new connections (the numbers are
// logged); and `down` leaving nothing behind.
//
// One cluster per file (random name `m<6 hex>`, state under a temp dir, passed with
// AMBIT_CLUSTER / AMBIT_STATE_ROOT); the tests run in order on it. Never skipped: without
// root it fails, like the other privileged tests. Every wait is bounded; `down`, then
// teardown() of the state dir, then a sweep of our namespaces run after the tests even
// when they fail.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ETC_NETNS_DIR } from '../../cli/local/topology.js';
import { clusterPrefix, nodeNetns } from '../../cli/local/topology-plan.js';
import { readProcessRecords } from '../../cli/local/supervisor.js';
import { nativeAddonStatus } from '../../native/lib/index.js';
import { hostSnapshot, type HostSnapshot } from './host-probes.js';
import {
  Ambit, CLI, FIXTURES, REPO, accessLines, cleanUpCluster, bpfLinks, bpfProgs, curl, describeCurl, describeRun, heldBpfLinks, ip, isAlive,
  linksIn, metricSum, procRef, processesInNetns, processesMentioning, run, sleep, spiffeId, until,
  type Curl, type HeldLink, type LogLine, type Pod, type ProcRef,
} from './local-mesh-support.js';

const isRoot = process.getuid?.() === 0;
const ci = process.env.CI === 'true';

const cluster = `m${randomBytes(3).toString('hex')}`;
const NODES = ['node-1', 'node-2'] as const;
const HTTPBIN_PORT = 8080;
const SLEEP_ID = spiffeId('default', 'sleep');
const HTTPBIN_ID = spiffeId('default', 'httpbin');
const OTHER_ID = spiffeId('default', 'other');
const EXAMPLES = path.join(REPO, 'examples');
const POLICIES = path.join(FIXTURES, 'local-mesh-policies');
const ENROLL_LABEL = 'istio.io/dataplane-mode';

interface Cluster {
  pods: Pod[];
  sleep: Pod;
  legacySleep: Pod;
  httpbins: Pod[];
  /** The httpbin replica on sleep's node, and the one on the other node. */
  near: Pod;
  far: Pod;
  httpbin2: Pod;
  other: Pod;
  optout: Pod;
  enroll: Pod;
  multiport: Pod;
}

let stateRoot = '';
let ambit: Ambit;
let hostBefore: HostSnapshot | undefined;
let upAttempted = false;
let downDone = false;
let mesh: Cluster | undefined;
/** BPF program and link ids the daemons held, to check that `down` removed them. */
const seenProgIds = new Set<number>();
const seenLinkIds = new Set<number>();

function need(): Cluster {
  if (!mesh) throw new Error('the cluster is not up (see the first test)');
  return mesh;
}

const url = (pod: Pod, port = HTTPBIN_PORT, p = '/get'): string => `http://${pod.ip}:${port}${p}`;
const fromPort = (pod: Pod, port: number) => (l: LogLine): boolean => l['src.addr'] === `${pod.ip}:${port}`;

/** Waits for the access-log line of node `node` that matches. */
async function accessLine(node: string, pred: (l: LogLine) => boolean, what: string, timeoutMs = 10_000): Promise<LogLine> {
  return until(`access log of ${node}: ${what}`, async () => accessLines(await ambit.nodeLog(node)).find(pred), timeoutMs, 400);
}

async function expectOk(t: ExecutionContext, from: Pod, target: string, what: string): Promise<Curl> {
  const r = await curl(ambit, from, target);
  t.true(r.code === 0 && r.http === '200', `${what}: ${describeCurl(r)}`);
  return r;
}

/** A connection that must fail (reset or refused); when it does not, say whether it fails a little later (apply returned too early). */
async function expectRefused(t: ExecutionContext, from: Pod, target: string, what: string): Promise<Curl & { startedAt: number }> {
  const startedAt = Date.now();
  const r = await curl(ambit, from, target, { maxTime: 3 });
  if (r.code === 0) {
    await sleep(3_000);
    const again = await curl(ambit, from, target, { maxTime: 3 });
    t.fail(`${what}: expected the connection to fail, got ${describeCurl(r)}; 3 s later: ${describeCurl(again)}`);
  } else {
    t.log(`${what}: ${describeCurl(r)}`);
  }
  return { ...r, startedAt };
}

/**
 * The access-log line of node `node` for a refused connection from `from` to `dst`
 * (curl reports local port 0 when the reset beats its connect check: then the newest
 * refusal since the attempt started).
 */
async function refusalLine(node: string, from: Pod, dst: string, r: Curl & { startedAt: number }): Promise<LogLine> {
  return accessLine(node, (l) => (r.localPort > 0 ? fromPort(from, r.localPort)(l) : (l['src.addr']?.startsWith(`${from.ip}:`) ?? false) && (l.time ?? 0) >= r.startedAt - 1_000)
    && l['dst.addr'] === dst && !!l.error, `the refusal of ${from.ip}:${r.localPort || '*'} → ${dst}`);
}

async function apply(t: ExecutionContext, verb: 'apply' | 'delete', file: string): Promise<void> {
  const r = await ambit.local([verb, '-f', file], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`ambit local ${verb} -f ${path.relative(REPO, file)}: ${describeRun(r)}`);
  t.log(`${verb} ${path.relative(REPO, file)}: ${r.ms} ms`);
}

/** The live process holding node `node`'s BPF links (the daemon), from the state dir's records or the node netns. */
function daemonOf(node: string): { proc: ProcRef; links: HeldLink[] } | undefined {
  const ns = nodeNetns(cluster, node);
  const candidates: ProcRef[] = [];
  for (const r of existsSync(ambit.stateDir) ? readProcessRecords(ambit.stateDir) : []) {
    if (r.netns !== ns || r.pid === null || r.exit) continue;
    const ref = procRef(r.pid, r.argv.join(' '));
    if (ref) candidates.push(ref);
  }
  candidates.push(...processesInNetns(ns));
  for (const proc of candidates) {
    const links = heldBpfLinks(proc.pid).filter((l) => l.linkType === 'tcx');
    if (links.length > 0) return { proc, links };
  }
  return undefined;
}

function findPod(pods: readonly Pod[], namespace: string, pred: (p: Pod) => boolean, what: string): Pod {
  const p = pods.find((x) => x.namespace === namespace && pred(x));
  if (!p) throw new Error(`no pod ${what} in ${namespace}; pods: ${pods.map((x) => `${x.namespace}/${x.name}@${x.node}`).join(', ')}`);
  return p;
}

if (!isRoot) {
  // Never skipped: `make test` runs as root (it installs packages); without root this fails, saying why.
  test('local mesh end to end (needs root)', (t) => {
    t.fail(`test/privileged/local-mesh needs root${ci ? ' (CI=true)' : ''}: run make test as root`);
  });
} else {
  stateRoot = mkdtempSync(path.join(os.tmpdir(), `ambit-mesh-${cluster}-`));
  ambit = new Ambit(cluster, stateRoot);

  test.after.always('down, then teardown() and a sweep if anything is left', async (t) => {
    t.timeout(150_000);
    await cleanUpCluster(ambit, { down: upAttempted && !downDone, log: (l) => t.log(l) });
  });

  test.serial('up: a 2-node cluster from examples/ with controller, daemons and pods ready', async (t) => {
    t.timeout(170_000);
    t.true(existsSync(CLI), `${CLI} is missing: build first (npx tsc -p tsconfig.json)`);
    const addon = nativeAddonStatus();
    t.true(addon.available, addon.available ? '' : addon.reason);
    for (const tool of ['bpftool', 'iptables-save', 'nft', 'nsenter', 'curl']) {
      t.is((await run('sh', ['-c', `command -v ${tool}`])).code, 0, `${tool} is needed`);
    }
    hostBefore = await hostSnapshot();

    // The example files by name: examples/policies/ is applied by the tests themselves.
    const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(EXAMPLES, f));
    upAttempted = true;
    const up = await ambit.local(['up', ...files.flatMap((f) => ['-f', f]), '-f', path.join(FIXTURES, 'local-mesh'), '--nodes', '2'], { timeoutMs: 150_000 });
    t.log(`up: ${up.ms} ms`);
    if (up.code !== 0) {
      t.fail(`ambit local up: ${describeRun(up)}`);
      return;
    }

    const nodes = await ambit.local(['get', 'nodes']);
    t.is(nodes.code, 0, describeRun(nodes));
    for (const n of NODES) t.regex(nodes.stdout, new RegExp(`\\b${n}\\b`));
    const netns = (await ip(['netns', 'list'])).stdout;
    for (const n of NODES) t.true(netns.includes(nodeNetns(cluster, n)), `netns ${nodeNetns(cluster, n)}`);

    const pods = await ambit.pods();
    t.log(pods.map((p) => `${p.namespace}/${p.name} ${p.node} ${p.ip} ${p.status ?? ''} mesh=${p.mesh ?? '?'}`).join('\n'));
    t.deepEqual(pods.filter((p) => p.status !== 'Running').map((p) => `${p.namespace}/${p.name}: ${p.status ?? ''}`), [], 'pods not Running after up');
    const app = (name: string) => (p: Pod): boolean => p.deployment === name;
    const sleepPod = findPod(pods, 'default', app('sleep'), 'of deployment sleep');
    const httpbins = pods.filter((p) => p.namespace === 'default' && app('httpbin')(p));
    t.is(httpbins.length, 2, 'two httpbin replicas');
    const near = httpbins.find((h) => h.node === sleepPod.node);
    const far = httpbins.find((h) => h.node !== sleepPod.node);
    if (!near || !far) {
      t.fail(`expected one httpbin replica on sleep's node (${sleepPod.node}) and one on the other: ${httpbins.map((h) => h.node).join(', ')}`);
      return;
    }
    mesh = {
      pods, sleep: sleepPod, httpbins, near, far,
      legacySleep: findPod(pods, 'legacy', app('sleep'), 'of deployment sleep'),
      httpbin2: findPod(pods, 'default', app('httpbin-2'), 'of deployment httpbin-2'),
      other: findPod(pods, 'default', (p) => p.name === 'other', 'other'),
      optout: findPod(pods, 'default', (p) => p.name === 'optout', 'optout'),
      enroll: findPod(pods, 'legacy', (p) => p.name === 'enroll', 'enroll'),
      multiport: findPod(pods, 'default', (p) => p.name === 'multiport', 'multiport'),
    };
    for (const p of pods) t.regex(p.ip, /^10\.244\.[12]\.\d+$/, `${p.namespace}/${p.name} IP`);
    t.is(mesh.other.node, 'node-1', 'spec.nodeName is honoured');
    const inMesh = (p: Pod): string => `${p.namespace}/${p.name}=${p.mesh ?? '?'}`;
    t.deepEqual(pods.map(inMesh).sort(), pods.map((p) => `${p.namespace}/${p.name}=${p.namespace === 'default' && p.name !== 'optout' ? 'yes' : 'no'}`).sort(), 'MESH column');
  });

  test.serial('mesh: sleep reaches httpbin on its node and across nodes; the server side logs sleep\'s SPIFFE id', async (t) => {
    t.timeout(90_000);
    const { sleep: client, near, far, httpbins } = need();

    // exec passes stdout, stderr and the exit code through.
    const ex = await ambit.local(['exec', 'deploy/sleep', '--', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 7']);
    t.is(ex.code, 7, describeRun(ex));
    t.is(ex.stdout.trim(), 'to-stdout');
    t.regex(ex.stderr, /to-stderr/);

    // Across nodes: HBONE from sleep's node to far's node; far's daemon saw sleep's verified identity.
    const cross = await curl(ambit, client, url(far), { body: true });
    t.true(cross.code === 0 && cross.http === '200', `sleep → ${far.name} (${far.node}): ${describeCurl(cross)}`);
    // The pod sees its real client's address (the daemon connects from it, IP_TRANSPARENT), not the node's.
    const origin = (JSON.parse(cross.body) as { origin?: string }).origin;
    t.is(origin, client.ip, `httpbin's view of the client address (sleep is ${client.ip}): ${cross.body.slice(0, 200)}`);
    const inbound = await accessLine(far.node, (l) => l.direction === 'inbound' && fromPort(client, cross.localPort)(l), `inbound from ${client.ip}:${cross.localPort}`);
    t.is(inbound['src.identity'], SLEEP_ID, JSON.stringify(inbound));
    t.is(inbound['dst.addr'], `${far.ip}:${HTTPBIN_PORT}`);
    t.is(inbound['dst.identity'], HTTPBIN_ID);
    t.falsy(inbound.error, JSON.stringify(inbound));
    t.true((inbound.bytes_recv ?? 0) > 0, 'response bytes counted');
    const outbound = await accessLine(client.node, (l) => l.direction === 'outbound' && fromPort(client, cross.localPort)(l), 'the outbound side');
    t.is(outbound['src.identity'], SLEEP_ID);
    t.is(outbound['dst.hbone_addr'], `${far.ip}:15008`, 'tunnelled to the HBONE port');
    t.is(outbound['dst.identity'], HTTPBIN_ID);

    // Same node: no tunnel, but the same identity-based decision and log on that node.
    const local = await curl(ambit, client, url(near), { body: true });
    t.true(local.code === 0 && local.http === '200', `sleep → ${near.name} (same node ${near.node}): ${describeCurl(local)}`);
    t.is((JSON.parse(local.body) as { origin?: string }).origin, client.ip, 'same node: the pod sees sleep\'s address too');
    const same = await accessLine(near.node, fromPort(client, local.localPort), `connection from ${client.ip}:${local.localPort}`);
    t.is(same['src.identity'], SLEEP_ID, JSON.stringify(same));
    t.is(same['dst.workload'], near.name);
    t.falsy(same.error);

    // By name: the Service VIP, round robin over both replicas.
    const ports: number[] = [];
    for (let i = 0; i < 4; i++) ports.push((await expectOk(t, client, 'http://httpbin:8000/get', `sleep → httpbin:8000 #${i + 1}`)).localPort);
    const viaService = await until('4 outbound lines via the Service', async () => {
      const ls = accessLines(await ambit.nodeLog(client.node)).filter((l) => l.direction === 'outbound' && ports.some((p) => fromPort(client, p)(l)));
      return ls.length >= 4 ? ls : undefined;
    }, 10_000, 400);
    t.true(viaService.every((l) => l['dst.service'] === 'httpbin.default.svc.cluster.local' && l['src.identity'] === SLEEP_ID), JSON.stringify(viaService));
    t.deepEqual([...new Set(viaService.map((l) => l['dst.workload']))].sort(), httpbins.map((h) => h.name).sort(), 'both replicas served');

    // Metrics on the server side: mTLS connections from sleep's principal.
    const metrics = await ambit.metrics(far.node);
    const opened = metricSum(metrics, 'istio_tcp_connections_opened_total', { reporter: 'destination', source_principal: SLEEP_ID, connection_security_policy: 'mutual_tls' });
    t.true(opened >= 1, `istio_tcp_connections_opened_total from sleep on ${far.node}: ${opened}`);
  });

  test.serial('capture is eBPF: tcx links of ambit_* programs on eth0 and every pod veth; no iptables or nft rules', async (t) => {
    t.timeout(60_000);
    const { pods } = need();
    const progName = new Map((await bpfProgs()).map((p) => [p.id, p.name ?? '']));
    for (const node of NODES) {
      const ns = nodeNetns(cluster, node);
      const daemon = daemonOf(node);
      if (!daemon) {
        t.fail(`no process in ${ns} holds tcx links`);
        continue;
      }
      const names = new Map((await linksIn(ns)).map((l) => [l.ifindex, l.ifname]));
      const attached = new Map<string, string[]>();
      for (const l of daemon.links) {
        const ifname = names.get(l.ifindex ?? -1) ?? `ifindex ${l.ifindex}`;
        attached.set(ifname, [...(attached.get(ifname) ?? []), progName.get(l.progId) ?? `prog ${l.progId}`]);
        seenProgIds.add(l.progId);
        seenLinkIds.add(l.linkId);
      }
      t.log(`${node}: daemon ${daemon.proc.pid} holds tcx links ${[...attached].map(([k, v]) => `${k}=${v.join('+')}`).join(', ')}`);
      t.deepEqual(attached.get('eth0'), ['ambit_uplink_ingress'], `${node}: uplink program on eth0`);
      const veths = [...names.values()].filter((n) => /^av[0-9a-f]{12}$/.test(n));
      t.is(veths.length, pods.filter((p) => p.node === node).length, `${node}: one veth per pod`);
      for (const v of veths) t.deepEqual(attached.get(v), ['ambit_pod_ingress'], `${node}: pod program on ${v}`);
      t.true(daemon.links.every((l) => l.attachType?.startsWith('46') ?? false), 'attach type BPF_TCX_INGRESS (46)');

      // bpftool, inside the node netns, lists the same links (bpftool 7.1 prints tcx as type 11).
      const shown = await bpfLinks(ns);
      const ours = shown.filter((l) => daemon.links.some((h) => h.linkId === l.id));
      t.is(ours.length, daemon.links.length, `bpftool link show in ${ns} lists the daemon's links`);
      t.true(ours.every((l) => l.type === 'tcx' || l.type === 11), JSON.stringify(ours));

      // No NAT, TPROXY or REDIRECT rules anywhere in the node.
      const ipt = await run('ip', ['netns', 'exec', ns, 'iptables-save']);
      t.false(/^-A |TPROXY|REDIRECT|DNAT/m.test(ipt.stdout), `iptables rules in ${ns}:\n${ipt.stdout}`);
      const nft = await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset']);
      t.is(nft.code, 0, describeRun(nft));
      t.is(nft.stdout.trim(), '', `nftables rules in ${ns}`);
    }
    const host = (await hostSnapshot()).ruleset;
    t.false(/ambit|1500[168]/i.test(host), 'the host ruleset mentions ambit or a capture port');
  });

  test.serial('opt-out: a pod labelled dataplane-mode=none in an ambient namespace bypasses the mesh', async (t) => {
    t.timeout(60_000);
    const { optout, httpbins } = need();
    const target = httpbins.find((h) => h.node !== optout.node)!;
    const r = await expectOk(t, optout, url(target), `optout (${optout.node}) → ${target.name} (${target.node})`);
    // The server side captured it as plaintext from outside the mesh: no identity.
    const inbound = await accessLine(target.node, fromPort(optout, r.localPort), `plaintext from ${optout.ip}:${r.localPort}`);
    t.is(inbound.direction, 'inbound');
    t.is(inbound['src.identity'], undefined, JSON.stringify(inbound));
    t.falsy(inbound.error);
    // The client's node did not proxy it.
    const clientSide = accessLines(await ambit.nodeLog(optout.node)).filter(fromPort(optout, r.localPort));
    t.deepEqual(clientSide, [], `${optout.node} proxied the opted-out pod's connection`);
    const dump = await ambit.local(['proxy-config', optout.node, 'workloads', '-o', 'json']);
    t.is(dump.code, 0, describeRun(dump));
    const workload = (JSON.parse(dump.stdout) as { name?: string; namespace?: string; tunnelProtocol?: string }[]).find((w) => w.namespace === 'default' && w.name === optout.name);
    t.is(workload?.tunnelProtocol, 'NONE', `${optout.node}'s daemon has optout outside the mesh`);
    const metrics = await ambit.metrics(target.node);
    t.true(metricSum(metrics, 'istio_tcp_connections_opened_total', { reporter: 'destination', source_workload: 'optout', connection_security_policy: 'unknown' }) >= 1, 'plaintext connection counted as such');
    t.is(metricSum(metrics, 'istio_tcp_connections_opened_total', { source_principal: spiffeId('default', 'optout') }), 0, 'optout never had a principal');
  });

  test.serial('enroll and un-enroll a running pod by label, without restarting it', async (t) => {
    t.timeout(90_000);
    const { enroll, httpbins } = need();
    const target = httpbins.find((h) => h.node !== enroll.node)!;
    const enrollId = spiffeId('legacy', 'enroll');
    const record = readProcessRecords(ambit.stateDir).find((r) => r.namespace === 'legacy' && r.pod === enroll.name);
    const proc = record?.pid ? procRef(record.pid, record.argv.join(' ')) : undefined;
    if (!proc) {
      t.fail(`no live process record for legacy/${enroll.name} in ${ambit.stateDir}/processes`);
      return;
    }

    /** One connection and what the server side logged for it (identity or not). */
    const probe = async (): Promise<{ curl: Curl; line: LogLine; clientLines: LogLine[] }> => {
      const c = await expectOk(t, enroll, url(target), `enroll → ${target.name}`);
      const line = await accessLine(target.node, fromPort(enroll, c.localPort), `connection from ${enroll.ip}:${c.localPort}`);
      const clientLines = accessLines(await ambit.nodeLog(enroll.node)).filter(fromPort(enroll, c.localPort));
      return { curl: c, line, clientLines };
    };

    const plain = await probe();
    t.is(plain.line['src.identity'], undefined, 'not in the mesh yet: plaintext');
    t.deepEqual(plain.clientLines, [], 'not proxied on the client side');

    const on = await ambit.local(['label', 'pod', enroll.name, '-n', 'legacy', `${ENROLL_LABEL}=ambient`]);
    t.is(on.code, 0, describeRun(on));
    let probes = 0;
    const meshed = await until('the pod\'s traffic to carry its identity', async () => {
      probes++;
      const p = await probe();
      return p.line['src.identity'] === enrollId ? p : undefined;
    }, 20_000, 200);
    t.log(`enrolled: ${probes === 1 ? 'the first connection after label returned was' : `${probes - 1} connection(s) after label returned were not yet`} in the mesh`);
    t.is(meshed.clientLines.filter((l) => l.direction === 'outbound').length, 1, 'proxied on the client side');
    t.true(isAlive(proc), `pod process ${proc.pid} restarted by enrollment`);

    const off = await ambit.local(['label', 'pod', enroll.name, '-n', 'legacy', `${ENROLL_LABEL}-`]);
    t.is(off.code, 0, describeRun(off));
    probes = 0;
    const again = await until('the pod\'s traffic to be plaintext again', async () => {
      probes++;
      const p = await probe();
      return p.line['src.identity'] === undefined && p.clientLines.length === 0 ? p : undefined;
    }, 20_000, 200);
    t.log(`un-enrolled: ${probes === 1 ? 'the first connection after label returned was' : `${probes - 1} connection(s) after label returned were still not`} plaintext`);
    t.is(again.line.direction, 'inbound');
    t.true(isAlive(proc), `pod process ${proc.pid} restarted by un-enrollment`);
    const now = readProcessRecords(ambit.stateDir).find((r) => r.namespace === 'legacy' && r.pod === enroll.name);
    t.is(now?.pid, proc.pid, 'same pid in the state dir');
    const listed = (await ambit.pods()).find((p) => p.namespace === 'legacy' && p.name === enroll.name);
    t.deepEqual(listed?.containers.map((c) => c.pid), [proc.pid], 'same pid in get pods -o json');
  });

  test.serial('PeerAuthentication: STRICT refuses plaintext from the legacy namespace, PERMISSIVE accepts it', async (t) => {
    t.timeout(90_000);
    const { legacySleep, sleep: client, httpbins, httpbin2, far } = need();
    for (const h of httpbins) {
      await expectOk(t, legacySleep, url(h), `no PeerAuthentication: legacy/sleep → ${h.name} (${h.node})`);
      // Plaintext inbound keeps the client's address too.
      const seen = await curl(ambit, legacySleep, url(h), { body: true });
      t.is((JSON.parse(seen.body) as { origin?: string }).origin, legacySleep.ip, `${h.name} sees legacy/sleep's address: ${describeCurl(seen)}`);
    }

    await apply(t, 'apply', path.join(EXAMPLES, 'policies', 'strict-mtls.yaml'));
    try {
      for (const h of httpbins) {
        const r = await expectRefused(t, legacySleep, url(h), `STRICT: legacy/sleep (${legacySleep.node}) → ${h.name} (${h.node})`);
        if (r.code === 0) continue;
        const line = await refusalLine(h.node, legacySleep, `${h.ip}:${HTTPBIN_PORT}`, r);
        t.regex(line.error ?? '', /istio_converted_static_strict/, JSON.stringify(line));
        t.is(line['src.identity'], undefined);
        t.is(line.direction, 'inbound');
      }
      await expectOk(t, client, url(far), 'STRICT: sleep (mTLS) → httpbin still works');
      await expectOk(t, client, 'http://httpbin:8000/get', 'STRICT: sleep → httpbin:8000 still works');

      // A workload-level PERMISSIVE wins over the namespace's STRICT.
      await apply(t, 'apply', path.join(POLICIES, 'permissive-httpbin-2.yaml'));
      await expectOk(t, legacySleep, url(httpbin2), 'PERMISSIVE on httpbin-2: legacy/sleep → httpbin-2');
      await expectRefused(t, legacySleep, url(far), 'PERMISSIVE on httpbin-2 only: legacy/sleep → httpbin');
      await apply(t, 'delete', path.join(POLICIES, 'permissive-httpbin-2.yaml'));
      await expectRefused(t, legacySleep, url(httpbin2), 'STRICT again for httpbin-2: legacy/sleep → httpbin-2');
    } finally {
      await apply(t, 'delete', path.join(EXAMPLES, 'policies', 'strict-mtls.yaml'));
    }
    for (const h of httpbins) await expectOk(t, legacySleep, url(h), `STRICT deleted: legacy/sleep → ${h.name}`);
  });

  test.serial('AuthorizationPolicy: allow by principal, allow by port, deny by principal, with real curl exit codes', async (t) => {
    t.timeout(120_000);
    const { sleep: client, other, legacySleep, httpbins, far, multiport, httpbin2 } = need();
    const farFromOther = httpbins.find((h) => h.node !== other.node)!;
    await expectOk(t, other, url(farFromOther), 'no policy: other → httpbin');

    // examples/policies/allow-sleep-to-httpbin.yaml: only sleep's principal may reach httpbin.
    const allow = path.join(EXAMPLES, 'policies', 'allow-sleep-to-httpbin.yaml');
    await apply(t, 'apply', allow);
    try {
      await expectOk(t, client, 'http://httpbin:8000/get', 'ALLOW sleep: sleep → httpbin:8000');
      for (const h of httpbins) await expectOk(t, client, url(h), `ALLOW sleep: sleep → ${h.name} (${h.node})`);
      for (const h of httpbins) {
        const r = await expectRefused(t, other, url(h), `ALLOW sleep: other (${other.node}) → ${h.name} (${h.node})`);
        if (r.code === 0) continue;
        // Denied where the policy is enforced: the destination's node (same node: the one both pods are on).
        const line = await refusalLine(h.node, other, `${h.ip}:${HTTPBIN_PORT}`, r);
        t.is(line['src.identity'], OTHER_ID, JSON.stringify(line));
        t.regex(line.error ?? '', /default\/httpbin/, 'the error names the policy');
      }
      await expectRefused(t, legacySleep, url(far), 'ALLOW sleep: legacy/sleep (no identity) → httpbin');
    } finally {
      await apply(t, 'delete', allow);
    }
    await expectOk(t, other, url(farFromOther), 'policy deleted: other → httpbin');
    const metrics = await ambit.metrics(farFromOther.node);
    t.true(metricSum(metrics, 'istio_tcp_connections_failed_total', { reporter: 'destination', source_principal: OTHER_ID, response_flags: 'DENY' }) >= 1, 'denials counted with response_flags DENY');

    // Port-scoped ALLOW: sleep may reach multiport on 8080 only; other on neither.
    await expectOk(t, client, url(multiport, 9090, '/'), 'no policy: sleep → multiport:9090');
    await expectOk(t, other, url(multiport, 8080), 'no policy: other → multiport:8080');
    const byPort = path.join(POLICIES, 'allow-sleep-8080-to-multiport.yaml');
    await apply(t, 'apply', byPort);
    try {
      await expectOk(t, client, url(multiport, 8080), 'ALLOW sleep on 8080: sleep → multiport:8080');
      await expectRefused(t, client, url(multiport, 9090, '/'), 'ALLOW sleep on 8080: sleep → multiport:9090');
      await expectRefused(t, other, url(multiport, 8080), 'ALLOW sleep on 8080: other → multiport:8080');
    } finally {
      await apply(t, 'delete', byPort);
    }
    await expectOk(t, client, url(multiport, 9090, '/'), 'policy deleted: sleep → multiport:9090');

    // DENY by principal: sleep may not reach httpbin-2, other still may.
    const deny = path.join(POLICIES, 'deny-sleep-to-httpbin-2.yaml');
    await apply(t, 'apply', deny);
    try {
      await expectRefused(t, client, url(httpbin2), 'DENY sleep: sleep → httpbin-2 pod');
      await expectRefused(t, client, 'http://httpbin-2:8000/get', 'DENY sleep: sleep → httpbin-2:8000');
      await expectOk(t, other, url(httpbin2), 'DENY sleep: other → httpbin-2');
    } finally {
      await apply(t, 'delete', deny);
    }
    await expectOk(t, client, 'http://httpbin-2:8000/get', 'policy deleted: sleep → httpbin-2:8000');
  });

  test.serial('daemon restart under traffic: new connections while the node daemon is SIGTERMed and restarted', async (t) => {
    t.timeout(120_000);
    const { sleep: client, far } = need();
    const node = client.node;
    const victim = daemonOf(node);
    if (!victim) {
      t.fail(`no daemon found for ${node}`);
      return;
    }
    const sleepRecord = readProcessRecords(ambit.stateDir).find((r) => r.namespace === 'default' && r.pod === client.name);
    const sleepProc = sleepRecord?.pid ? procRef(sleepRecord.pid, 'sleep') : undefined;

    // Two loops of new connections from sleep, every 50 ms for 9 s: to far's pod IP (its
    // daemon stays up and logs every connection it sees) and to the Service name.
    const loop = (target: string): string =>
      `end=$(( $(date +%s) + 9 )); while [ "$(date +%s)" -lt "$end" ]; do ` +
      `s=$(date +%s%3N); curl -s -o /dev/null -m 2 -w "$s %{http_code} %{local_port} %{exitcode}\\n" ${target}; sleep 0.05; done`;
    const direct = ambit.spawnExec(client, ['sh', '-c', loop(url(far, HTTPBIN_PORT, '/status/200'))], 40_000);
    const viaService = ambit.spawnExec(client, ['sh', '-c', loop('http://httpbin:8000/status/200')], 40_000);
    // Kill once both loops have made some connections (the CLI takes a while to start under load).
    await until('both traffic loops to be running', () => Promise.resolve(direct.lines() >= 10 && viaService.lines() >= 10 ? true : undefined), 20_000, 50);
    const killedAt = Date.now();
    process.kill(victim.proc.pid, 'SIGTERM');
    let replacement: ReturnType<typeof daemonOf>;
    let restartedAt = 0;
    try {
      replacement = await until(`a new daemon on ${node} holding tcx links`, () => {
        const d = daemonOf(node);
        return Promise.resolve(d && d.proc.pid !== victim.proc.pid ? d : undefined);
      }, 30_000, 50);
      restartedAt = Date.now();
      for (const l of replacement.links) {
        seenLinkIds.add(l.linkId);
        seenProgIds.add(l.progId);
      }
    } catch (err) {
      t.fail((err as Error).message);
    }
    const [d, v] = await Promise.all([direct.done, viaService.done]);
    t.true(!isAlive(victim.proc), 'the old daemon exited');

    // The far node's daemon saw every connection that reached it: with sleep's identity (HBONE) or without (plaintext).
    const farLines = accessLines(await ambit.nodeLog(far.node)).filter((l) => l['src.addr']?.startsWith(`${client.ip}:`));
    const nearLines = accessLines(await ambit.nodeLog(node)).filter((l) => l.direction === 'outbound' && l['src.addr']?.startsWith(`${client.ip}:`));
    const farByPort = new Map(farLines.map((l) => [Number(l['src.addr']!.split(':')[1]), l]));
    const nearPorts = new Set(nearLines.map((l) => Number(l['src.addr']!.split(':')[1])));
    interface Conn { at: number; http: string; port: number; exit: number }
    const parse = (out: string): Conn[] => out.split('\n').map((l) => l.trim().split(' ')).filter((f) => f.length === 4).map(([at, http, port, exit]) => ({ at: Number(at), http: http!, port: Number(port), exit: Number(exit) }));
    // A loop's timestamp is taken just before curl starts: one taken less than 200 ms before the SIGTERM may connect after it.
    const window = (c: Conn): string => (c.at < killedAt - 200 ? 'before' : restartedAt && c.at >= restartedAt ? 'after' : 'during');

    const report = (name: string, conns: Conn[], meshOf: (c: Conn) => 'mesh' | 'unproxied' | 'unknown'): Record<string, Record<string, number>> => {
      const table: Record<string, Record<string, number>> = {};
      for (const c of conns) {
        const w = window(c);
        const kind = c.exit !== 0 || c.http !== '200' ? `failed(exit ${c.exit})` : meshOf(c);
        table[w] ??= {};
        table[w][kind] = (table[w][kind] ?? 0) + 1;
      }
      t.log(`${name}: ${conns.length} connections: ${JSON.stringify(table)}`);
      return table;
    };
    const directConns = parse(d.stdout);
    const serviceConns = parse(v.stdout);
    t.log(`daemon ${victim.proc.pid} SIGTERMed; replacement ${replacement?.proc.pid ?? 'none'} holding tcx links after ${restartedAt ? restartedAt - killedAt : '?'} ms`);
    const directTable = report(`sleep → ${far.ip}:8080 (pod IP, other node)`, directConns, (c) => {
      const line = farByPort.get(c.port);
      return line?.['src.identity'] === SLEEP_ID ? 'mesh' : line ? 'unproxied' : 'unknown';
    });
    report('sleep → httpbin:8000 (Service)', serviceConns, (c) => (nearPorts.has(c.port) || farByPort.get(c.port)?.['src.identity'] === SLEEP_ID ? 'mesh' : 'unknown'));
    t.true(directConns.length >= 40, `the direct loop ran: ${describeRun(d)}`);
    t.true(serviceConns.length >= 40, `the Service loop ran: ${describeRun(v)}`);
    t.deepEqual(Object.keys(directTable.before ?? {}), ['mesh'], 'before the kill every connection was mTLS');
    const isMesh = (c: Conn): boolean => c.exit === 0 && c.http === '200' && farByPort.get(c.port)?.['src.identity'] === SLEEP_ID;
    const firstMesh = directConns.find((c) => c.at >= killedAt && isMesh(c));
    const lastNonMesh = [...directConns].reverse().find((c) => !isMesh(c));
    t.log(`first mTLS connection ${firstMesh ? `${firstMesh.at - killedAt} ms` : 'never (in the loop)'} after the SIGTERM; last connection without mTLS started ${lastNonMesh ? `${lastNonMesh.at - killedAt} ms` : '-'} after it`);

    // The mesh works again after the restart: identity on the far side for a new connection.
    const meshAgain = await until('mesh traffic after the restart', async () => {
      const c = await curl(ambit, client, url(far));
      if (c.code !== 0) return undefined;
      const line = accessLines(await ambit.nodeLog(far.node)).find(fromPort(client, c.localPort));
      return line?.['src.identity'] === SLEEP_ID ? Date.now() : undefined;
    }, 30_000, 300);
    t.log(`after the loops (${meshAgain - killedAt} ms after the SIGTERM): a new connection carries sleep's identity`);
    await expectOk(t, client, 'http://httpbin:8000/get', 'after the restart: sleep → httpbin:8000');
    if (sleepProc) t.true(isAlive(sleepProc), 'the sleep pod was not restarted');
  });

  test.serial('down: no namespaces, links, BPF programs or links, processes, state dir or /etc/netns left; host routes and rules unchanged', async (t) => {
    t.timeout(120_000);
    if (!upAttempted) {
      t.fail('up never ran');
      return;
    }
    const prefix = clusterPrefix(cluster);
    const ourNetns = (await ip(['netns', 'list'])).stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((n) => n.startsWith(prefix));
    const procs = new Map<string, ProcRef>();
    const add = (p: ProcRef | undefined): void => { if (p) procs.set(`${p.pid}/${p.startTicks}`, p); };
    for (const r of existsSync(ambit.stateDir) ? readProcessRecords(ambit.stateDir) : []) if (r.pid !== null && !r.exit) add(procRef(r.pid, r.argv.join(' ')));
    for (const n of ourNetns) processesInNetns(n).forEach(add);
    processesMentioning([stateRoot, `AMBIT_CLUSTER=${cluster}`]).forEach(add);
    for (const node of NODES) {
      for (const l of daemonOf(node)?.links ?? []) {
        seenLinkIds.add(l.linkId);
        seenProgIds.add(l.progId);
      }
    }
    t.log(`before down: ${ourNetns.length} namespaces, ${procs.size} processes, BPF programs ${[...seenProgIds].join(',')}, links ${[...seenLinkIds].join(',')}`);

    const r = await ambit.local(['down'], { timeoutMs: 90_000 });
    t.log(`down: ${r.ms} ms`);
    t.is(r.code, 0, describeRun(r));
    downDone = r.code === 0;

    const after = await hostSnapshot();
    t.deepEqual([...after.netns].filter((n) => n.startsWith(prefix)), [], 'namespaces left');
    t.deepEqual(existsSync(ETC_NETNS_DIR) ? readdirSync(ETC_NETNS_DIR).filter((n) => n.startsWith(prefix)) : [], [], '/etc/netns dirs left');
    const alive = await until('our processes to exit', () => {
      const left = [...procs.values()].filter(isAlive);
      return Promise.resolve(left.length === 0 ? [] : undefined);
    }, 5_000, 200).catch(() => [...procs.values()].filter(isAlive));
    t.deepEqual(alive.map((p) => `${p.pid} ${p.what}`), [], 'processes left');
    t.deepEqual(processesMentioning([stateRoot]).map((p) => `${p.pid} ${p.what}`), [], 'processes naming the state root left');
    t.false(existsSync(ambit.stateDir), 'state dir left');
    const progIds = new Set((await bpfProgs()).map((p) => p.id));
    t.deepEqual([...seenProgIds].filter((id) => progIds.has(id)), [], 'BPF programs left');
    const linkIds = new Set((await bpfLinks()).map((l) => l.id));
    t.deepEqual([...seenLinkIds].filter((id) => linkIds.has(id)), [], 'BPF links left');
    t.true(seenProgIds.size > 0, 'the daemons\' BPF programs were seen while the cluster ran');
    if (hostBefore) {
      t.deepEqual([...after.links].filter((l) => !hostBefore!.links.has(l)), [], 'links added to the host netns');
      t.deepEqual([...hostBefore.links].filter((l) => !after.links.has(l)), [], 'host links removed');
      t.is(after.routes, hostBefore.routes, 'host routes changed');
      t.is(after.rules, hostBefore.rules, 'host rules changed');
      t.is(after.ruleset, hostBefore.ruleset, 'host iptables/nft ruleset changed');
    }
  });
}
