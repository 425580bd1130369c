// B5, L4 authorization with 10,000 policies: the new-connection rate through the mesh
// (B4's measurement: 8 loops of connect, "ping", "pong", server closes, close) with
// 10,000 extra AuthorizationPolicies that all apply to the server workload, against the
// same mesh without them, same run; and the decision time for that policy set.
//
// One mesh, the two configurations interleaved (order rotated per repetition): the
// policies are one extra YAML file in the directory the controller watches (loopback
// mesh: its StaticSource), written and removed between measurements; a measurement starts
// only once both daemons hold the expected number of policies and the server workload
// lists the expected selector policies. The set (`authzPolicies`) is built so every
// connection is evaluated against all 10,000 and still allowed: 1,000 namespace-wide
// policies in the server's namespace and 9,000 selecting its labels, every tenth a DENY
// for another principal (never matching), the other ALLOWs for other principals, source
// ranges and namespaces (never matching), and the last selector policy (evaluated last:
// the daemon walks namespace-wide, then mesh-wide, then selector policies in key order)
// ALLOWs the client's principal on the echo port. Checked: zero refused connections
// (node-2's DENY counter and the load generator's errors) while the policies apply, and
// a probe to another port of the server is refused (the ALLOW set is enforced).
//
// The decision time is measured in this process after the mesh is gone, like B9, on the
// model the controller makes of the same objects (ConfigStore + buildModel) compiled as
// the daemon compiles it.
import { DEFAULT_TRUST_DOMAIN, type Authorization, type Workload } from '../../api/model.js';
import { silentLogger } from '../../api/log.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { ConfigStore } from '../../controller/config/store.js';
import { buildModel } from '../../controller/translate/build-model.js';
import { defaultMesh } from '../../controller/translate/mesh.js';
import { workloadUid } from '../../controller/translate/workloads.js';
import { isKnownKind, validateResource } from '../../controller/validation/validate.js';
import { authorize, compilePolicies, type CompiledPolicies, type Connection, type Decision } from '../../daemon/rbac/index.js';
import type { BenchResult } from '../result.js';
import { median, round } from '../lib/stats.js';
import { caseLog, processFigures, rounded, rotated, spread } from './l4/figures.js';
import { startL4Mesh, type L4Mesh, type MeshCluster, type MeshPod } from './l4/mesh.js';
import type { AuthzStats, ConnRateRun, DaemonStats } from './l4/messages.js';
import { SERVER_PORTS } from './l4/objects.js';

const ID = 'B5';
const CASE = 'L4 authorization, 10,000 policies';
const GOAL_LOSS_PERCENT = 5;
const GOAL_DECISION_US = 5;
const CONCURRENCY = 8;
const SET_NAME = 'b5-authz';
const PUSH_TIMEOUT_MS = 180_000;
const POLL_MS = 250;
const PLAN = {
  full: { repetitions: 3, warmupMs: 2000, measureMs: 10_000, decisionRuns: 9 },
  quick: { repetitions: 1, warmupMs: 1000, measureMs: 3000, decisionRuns: 5 },
};
const log = caseLog(ID);

// ---------------------------------------------------------------------------------------
// The policy set (pure).

/** Who the policies are about: the server workload they apply to and the client they finally allow. */
export interface PolicySubject {
  /** The server's namespace (where every policy lives). */
  namespace: string;
  /** The server pod's labels (the selector policies match them). */
  serverLabels: Record<string, string>;
  client: { trustDomain: string; namespace: string; serviceAccount: string; ip: string };
  /** Ports the last policy allows the client (every other port of the server stays refused). */
  allowedPorts: readonly number[];
}

export interface PolicySetShape {
  total: number;
  /** The first `namespaceWide` policies have no selector (they apply to the whole namespace); the rest select the server. */
  namespaceWide: number;
  /** Every `denyEvery`-th policy is a DENY (0: none); the last one is always the allowing ALLOW. */
  denyEvery: number;
}

export const B5_POLICY_SET: PolicySetShape = { total: 10_000, namespaceWide: 1_000, denyEvery: 10 };

export function principalOf(c: PolicySubject['client']): string {
  return `${c.trustDomain}/ns/${c.namespace}/sa/${c.serviceAccount}`;
}

/** Name of policy `i`, zero-padded so the names (and the selector keys the workload lists) sort in index order. */
export function policyName(i: number, shape: PolicySetShape = B5_POLICY_SET): string {
  return `b5-authz-${String(i).padStart(String(shape.total - 1).length, '0')}`;
}

/** What the generated set holds, by kind (for checks and the report). */
export function policySetCounts(shape: PolicySetShape = B5_POLICY_SET): { namespaceWide: number; selector: number; deny: number; allow: number } {
  let deny = 0;
  for (let i = 0; i < shape.total - 1; i++) if (isDeny(i, shape)) deny++;
  return { namespaceWide: shape.namespaceWide, selector: shape.total - shape.namespaceWide, deny, allow: shape.total - deny };
}

function isDeny(i: number, shape: PolicySetShape): boolean {
  return shape.denyEvery > 0 && i !== shape.total - 1 && i % shape.denyEvery === shape.denyEvery - 1;
}

/**
 * `shape.total` AuthorizationPolicies (security.istio.io/v1) in the server's namespace,
 * all applying to the server; the client's connections to `allowedPorts` are evaluated
 * against every one of them and allowed by the last, and only by it.
 */
export function authzPolicies(subject: PolicySubject, shape: PolicySetShape = B5_POLICY_SET): KubeObject[] {
  if (shape.total < 1 || shape.namespaceWide < 0 || shape.namespaceWide >= shape.total) {
    throw new Error(`policy set ${JSON.stringify(shape)}: needs 0 <= namespaceWide < total (the last policy selects the server)`);
  }
  // The never-matching sources below: principals and namespaces prefixed "b5-", sources in 192.168.0.0/16 and 198.51.100.0/24.
  if (subject.client.serviceAccount.startsWith('b5-') || subject.client.namespace.startsWith('b5-') || /^(192\.168|198\.51\.100)\./.test(subject.client.ip)) {
    throw new Error(`client ${JSON.stringify(subject.client)} would be matched by the never-matching policies`);
  }
  const { namespace, serverLabels, client } = subject;
  const td = client.trustDomain;
  const ports = subject.allowedPorts.map(String);
  const out: KubeObject[] = [];
  for (let i = 0; i < shape.total; i++) {
    const last = i === shape.total - 1;
    const selector = i >= shape.namespaceWide ? { selector: { matchLabels: { ...serverLabels } } } : {};
    let spec: Record<string, unknown>;
    if (last) {
      spec = { ...selector, action: 'ALLOW', rules: [{ from: [{ source: { principals: [principalOf(client)] } }], to: [{ operation: { ports } }] }] };
    } else if (isDeny(i, shape)) {
      spec = {
        ...selector, action: 'DENY',
        rules: [{
          from: [{ source: { principals: [`${td}/ns/${client.namespace}/sa/b5-banned-${i}`] } }, { source: { ipBlocks: [`198.51.100.${i % 256}/32`] } }],
          to: [{ operation: { ports } }],
        }],
      };
    } else {
      spec = {
        ...selector, action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: [`${td}/ns/${client.namespace}/sa/b5-caller-${i}`, `${td}/ns/b5-team-${i % 7}/*`] } }, { source: { namespaces: [`b5-peer-${i}`] } }],
            to: [{ operation: { ports: [...ports, String(10_000 + (i % 50))] } }],
          },
          { from: [{ source: { ipBlocks: [`192.168.${i % 256}.0/24`] } }], to: [{ operation: { notPorts: ['15021'] } }] },
        ],
      };
    }
    out.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: policyName(i, shape), namespace }, spec });
  }
  return out;
}

/** The subject for a mesh's cluster: its server pod's labels, its client's identity, the echo port. */
export function subjectOf(cluster: MeshCluster): PolicySubject {
  const pod = cluster.objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === cluster.server.namespace && o.metadata.name === cluster.server.name);
  if (!pod) throw new Error(`no pod ${cluster.server.namespace}/${cluster.server.name} in the cluster's objects`);
  const c = cluster.client;
  return {
    namespace: cluster.server.namespace,
    serverLabels: { ...(pod.metadata.labels ?? {}) },
    client: { trustDomain: DEFAULT_TRUST_DOMAIN, namespace: c.namespace, serviceAccount: c.sa, ip: c.ip },
    allowedPorts: [SERVER_PORTS.echo],
  };
}

/** What the controller makes of `objects` (validated by its store, translated by buildModel). */
export function controllerModel(objects: readonly KubeObject[]): { authorizations: Authorization[]; workloads: Workload[]; rejected: string[]; rootNamespace: string } {
  const rejected: string[] = [];
  const store = new ConfigStore({
    validate: validateResource, isKnownKind, onChange: () => {},
    onRejected: (obj, errors) => rejected.push(`${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}: ${errors.map((e) => e.message).join('; ')}`),
  }, silentLogger());
  store.replace(objects, 'b5');
  const mesh = defaultMesh();
  const model = buildModel(store, mesh);
  return { authorizations: model.authorizations, workloads: model.workloads, rejected, rootNamespace: mesh.rootNamespace };
}

/** The connection the mesh's client makes to the server on `port`, as the server's daemon sees it. */
export function clientConnection(client: MeshPod, server: MeshPod, port: number, identity = true): Connection {
  return {
    srcIp: client.ip, srcPort: 40_000, dstIp: server.ip, dstPort: port,
    ...(identity ? { srcIdentity: { trustDomain: DEFAULT_TRUST_DOMAIN, namespace: client.namespace, serviceAccount: client.sa } } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Decision time (in process).

interface DecisionFigures {
  medianNs: number;
  runsNs: number[];
  decisionsPerRun: number;
  decision: Decision;
}

/** ns per decision: `runs` runs of about `runMs` each (after one warm-up run). */
function timeDecisions(conn: Connection, workload: Workload, compiled: CompiledPolicies, runs: number, runMs = 200): DecisionFigures {
  const decision = authorize(conn, workload, compiled);
  // Calibrate: how many decisions take about runMs.
  let n = 16;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) authorize(conn, workload, compiled);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= runMs / 4 || n >= 1 << 24) {
      n = Math.max(16, Math.round((n * runMs) / Math.max(ms, 1e-3)));
      break;
    }
    n *= 4;
  }
  const runsNs: number[] = [];
  for (let r = 0; r < runs; r++) {
    let allowed = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (authorize(conn, workload, compiled).allowed) allowed++;
    runsNs.push(Number(process.hrtime.bigint() - t0) / n);
    if (allowed !== (decision.allowed ? n : 0)) throw new Error('the decision changed between runs');
  }
  return { medianNs: median(runsNs), runsNs: runsNs.map((x) => Math.round(x)), decisionsPerRun: n, decision };
}

interface DecisionReport {
  allowedMedianUs: number;
  raw: Record<string, unknown>;
}

function decisionTime(cluster: MeshCluster, policies: readonly KubeObject[], runs: number): DecisionReport {
  const t0 = performance.now();
  const model = controllerModel([...cluster.objects, ...policies]);
  const modelMs = performance.now() - t0;
  if (model.rejected.length > 0) throw new Error(`the controller's validation rejects ${model.rejected.length} object(s), first: ${model.rejected[0]}`);
  // Through JSON, as the daemon holds them after decoding: flat strings and fresh objects,
  // not the generator's concatenated strings (which V8 compares more slowly).
  const authorizations = JSON.parse(JSON.stringify(model.authorizations)) as Authorization[];
  const modelServer = model.workloads.find((w) => w.uid === workloadUid(cluster.server.namespace, cluster.server.name));
  if (!modelServer) throw new Error('the server workload is not in the model');
  const server = JSON.parse(JSON.stringify(modelServer)) as Workload;
  const c0 = performance.now();
  const compiled = compilePolicies(authorizations, model.rootNamespace);
  const compileMs = performance.now() - c0;
  globalThis.gc?.(); // the mesh's leftovers (the case runs with --expose-gc), not during the runs
  const echo = timeDecisions(clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo), server, compiled, runs);
  const allowedBy = policyName(B5_POLICY_SET.total - 1);
  if (!echo.decision.allowed || echo.decision.policy !== `${cluster.server.namespace}/${allowedBy}`) {
    throw new Error(`the client's connection is not allowed by ${allowedBy}: ${JSON.stringify(echo.decision)}`);
  }
  const otherPort = timeDecisions(clientConnection(cluster.client, cluster.server, SERVER_PORTS.bulk), server, compiled, Math.min(runs, 3));
  const plaintext = timeDecisions(clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo, false), server, compiled, Math.min(runs, 3));
  if (otherPort.decision.allowed || plaintext.decision.allowed) throw new Error('a connection the policies must refuse was allowed');
  // The same connection without the extra policies.
  const bare = controllerModel(cluster.objects);
  const bareServer = bare.workloads.find((w) => w.uid === server.uid)!;
  const none = timeDecisions(clientConnection(cluster.client, cluster.server, SERVER_PORTS.echo), bareServer, compilePolicies(bare.authorizations, bare.rootNamespace), Math.min(runs, 3));
  const bucket = compiled.byNamespace.get(cluster.server.namespace);
  return {
    allowedMedianUs: echo.medianNs / 1000,
    raw: {
      connection: `${cluster.client.namespace}/${cluster.client.name} (mTLS) -> ${cluster.server.namespace}/${cluster.server.name}:${SERVER_PORTS.echo}, allowed by ${allowedBy} after every other applicable policy`,
      nsPerDecisionRuns: echo.runsNs, medianNsPerDecision: Math.round(echo.medianNs), decisionsPerRun: echo.decisionsPerRun,
      applicable: {
        namespaceWide: (bucket?.deny.length ?? 0) + (bucket?.allow.length ?? 0),
        global: compiled.global.deny.length + compiled.global.allow.length,
        selectorKeysListedByServer: server.authorizationPolicies.length,
      },
      deniedOtherPortNs: Math.round(otherPort.medianNs),
      deniedPlaintextNs: Math.round(plaintext.medianNs),
      withoutPoliciesNs: Math.round(none.medianNs),
      controllerModelMs: round(modelMs, 1),
      compilePoliciesMs: round(compileMs, 1),
      b9: 'B9 (rbac) times the decision for 10,000 policies spread over 1,000 namespaces, of which a handful apply to the destination; here all 10,000 apply',
    },
  };
}

// ---------------------------------------------------------------------------------------
// The measurement.

type Config = 'none' | 'policies';
const CONFIGS: readonly Config[] = ['none', 'policies'];

interface Round {
  config: Config;
  repetition: number;
  run: ConnRateRun;
  /** Connections node-2 refused by policy during the round. */
  denied: number;
  policies: Record<string, number>;
  processes: ReturnType<typeof processFigures>;
}

interface Switch {
  to: Config;
  /** Writing (YAML serialization included) or removing the file. */
  writeSeconds: number;
  /** File in place (or removed) → both daemons hold the expected policies and the server lists its keys. */
  seconds: number;
  /** Per node: seconds from the file to the first poll that found its daemon holding the expected policies. */
  reachedSeconds: Record<string, number>;
  polls: number;
  policies: Record<string, number>;
  serverPolicyKeys: number;
  controllerRssMiB: number;
  daemonMemoryMiB: Record<string, DaemonStats['memoryMiB']>;
  /** Policies only: a probe to another port of the server, which must be refused. */
  probe?: { connections: number; errors: number; deniedByServer: number; firstError?: string };
}

interface Expected { policies: Record<string, number>; serverKeys: number }

async function waitForState(mesh: L4Mesh, serverNode: string, serverKey: string, want: Expected, began: number): Promise<{ stats: Record<string, AuthzStats>; polls: number; reachedSeconds: Record<string, number> }> {
  const deadline = Date.now() + PUSH_TIMEOUT_MS;
  const reachedSeconds: Record<string, number> = {};
  let polls = 0;
  let last = '';
  for (;;) {
    polls++;
    try {
      const stats = await mesh.authzStats();
      const at = round((performance.now() - began) / 1000, 2);
      for (const [node, n] of Object.entries(want.policies)) if (stats[node]?.policies === n) reachedSeconds[node] ??= at;
      const ok = Object.entries(want.policies).every(([node, n]) => stats[node]?.policies === n)
        && stats[serverNode]?.workloadPolicyKeys[serverKey] === want.serverKeys;
      if (ok) return { stats, polls, reachedSeconds };
      last = `policies ${JSON.stringify(Object.fromEntries(Object.entries(stats).map(([n, s]) => [n, s.policies])))}, server keys ${stats[serverNode]?.workloadPolicyKeys[serverKey]}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`the daemons did not reach ${JSON.stringify(want)} within ${PUSH_TIMEOUT_MS / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Each daemon's memory, MiB: VmRSS (netns), process.memoryUsage() with the heap (loopback). */
async function daemonMemory(mesh: L4Mesh): Promise<Record<string, DaemonStats['memoryMiB']>> {
  return Object.fromEntries(Object.entries(await mesh.daemonStats()).map(([node, st]) => [node, st.memoryMiB]));
}

export async function runL4AuthzConnRateBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const plan = PLAN[opts.quick ? 'quick' : 'full'];
  const mesh = await startL4Mesh({ haproxy: false, log });
  const rounds: Round[] = [];
  const switches: Switch[] = [];
  let cluster: MeshCluster;
  let policies: KubeObject[];
  let expected: Record<Config, Expected>;
  let baseline: Record<string, AuthzStats>;
  let idle: { controllerRssMiB: number; daemonMemoryMiB: Record<string, DaemonStats['memoryMiB']> };
  try {
    cluster = mesh.cluster;
    const { server } = cluster;
    const serverKey = `${server.namespace}/${server.name}`;
    policies = authzPolicies(subjectOf(cluster));
    // What the daemons must hold in each configuration: the controller's model of the same objects.
    baseline = await mesh.authzStats();
    idle = { controllerRssMiB: mesh.controllerRssMiB(), daemonMemoryMiB: await daemonMemory(mesh) };
    const withModel = controllerModel([...cluster.objects, ...policies]);
    const withKeys = withModel.workloads.find((w) => w.uid === workloadUid(server.namespace, server.name))?.authorizationPolicies.length ?? Number.NaN;
    const nodes = Object.keys(baseline);
    expected = {
      none: { policies: Object.fromEntries(nodes.map((n) => [n, baseline[n]!.policies])), serverKeys: baseline[server.node]!.workloadPolicyKeys[serverKey] ?? 0 },
      policies: { policies: Object.fromEntries(nodes.map((n) => [n, baseline[n]!.policies + B5_POLICY_SET.total])), serverKeys: withKeys },
    };
    log(`daemons hold ${JSON.stringify(expected.none.policies)} policies; with the set: ${JSON.stringify(expected.policies.policies)}, server lists ${withKeys} policy keys`);

    let current: Config = 'none';
    const switchTo = async (to: Config): Promise<void> => {
      const writing = performance.now();
      if (to === 'policies') await mesh.applyObjects(SET_NAME, policies);
      else await mesh.removeObjects(SET_NAME);
      const began = performance.now();
      const { stats, polls, reachedSeconds } = await waitForState(mesh, server.node, serverKey, expected[to], began);
      const s: Switch = {
        to, writeSeconds: round((began - writing) / 1000, 2), seconds: round((performance.now() - began) / 1000, 2), reachedSeconds, polls,
        policies: Object.fromEntries(Object.entries(stats).map(([n, x]) => [n, x.policies])),
        serverPolicyKeys: stats[server.node]!.workloadPolicyKeys[serverKey] ?? Number.NaN,
        controllerRssMiB: mesh.controllerRssMiB(), daemonMemoryMiB: await daemonMemory(mesh),
      };
      if (to === 'policies') {
        const before = stats[server.node]!.denied;
        const r = await mesh.load('ambit').call('connRate', { target: mesh.target('ambit', 'bulk'), concurrency: 1, warmupMs: 0, durationMs: 300 });
        const denied = (await mesh.authzStats())[server.node]!.denied - before;
        s.probe = { connections: r.connections, errors: r.errors, deniedByServer: denied, ...(r.firstError ? { firstError: r.firstError } : {}) };
        if (r.connections > 0 || denied < 1) throw new Error(`the policies are not enforced: a connection to port ${SERVER_PORTS.bulk} (not allowed) got ${r.connections} through, ${denied} refused by policy`);
      }
      switches.push(s);
      current = to;
      log(`-> ${to}: ${s.seconds} s (${JSON.stringify(s.policies)} policies; controller ${s.controllerRssMiB} MiB, daemons' RSS ${Object.entries(s.daemonMemoryMiB).map(([n, m]) => `${n} ${m.rss}`).join(', ')} MiB)`);
    };

    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (const config of rotated(CONFIGS, rep)) {
        if (config !== current) await switchTo(config);
        const before = await mesh.authzStats();
        const window = mesh.window('ambit');
        const run = await mesh.load('ambit').call('connRate', { target: mesh.target('ambit', 'echo'), concurrency: CONCURRENCY, warmupMs: plan.warmupMs, durationMs: plan.measureMs }, plan.warmupMs + plan.measureMs + 60_000);
        const processes = processFigures(window.close());
        const after = await mesh.authzStats();
        const denied = after[server.node]!.denied - before[server.node]!.denied;
        const round_: Round = { config, repetition: rep, run, denied, policies: Object.fromEntries(Object.entries(after).map(([n, x]) => [n, x.policies])), processes };
        rounds.push(round_);
        log(`${config}, rep ${rep + 1}: ${round(run.perSecond)} conn/s (${run.errors} errors, ${denied} refused by policy${run.firstError ? `, first error: ${run.firstError}` : ''})`);
        const want = expected[config].policies;
        if (Object.entries(want).some(([n, v]) => round_.policies[n] !== v)) throw new Error(`the daemons' policies changed during the round: ${JSON.stringify(round_.policies)}, expected ${JSON.stringify(want)}`);
      }
    }
    if (current !== 'none') await switchTo('none');
  } finally {
    await mesh.close();
  }

  // In process, with the mesh gone: the decision time for the same objects.
  const decision = decisionTime(cluster, policies, plan.decisionRuns);

  const rates = (c: Config): number[] => rounds.filter((r) => r.config === c).map((r) => r.run.perSecond);
  const without = median(rates('none'));
  const withPolicies = median(rates('policies'));
  const lossPercent = (1 - withPolicies / without) * 100;
  const perRepLoss = Array.from({ length: plan.repetitions }, (_, rep) => {
    const of = (c: Config): number => rounds.find((r) => r.repetition === rep && r.config === c)!.run.perSecond;
    return (1 - of('policies') / of('none')) * 100;
  });
  const refused = rounds.filter((r) => r.config === 'policies').reduce((n, r) => n + r.denied + r.run.errors, 0);
  const errorsWithout = rounds.filter((r) => r.config === 'none').reduce((n, r) => n + r.denied + r.run.errors, 0);
  if (refused > 0 || errorsWithout > 0) log(`INVALID: ${refused} connection(s) refused or failed with the policies, ${errorsWithout} without (the policies must allow every one)`);
  const counts = policySetCounts();
  const applies = {
    ...counts,
    note: `${counts.namespaceWide} namespace-wide in ${cluster.server.namespace} and ${counts.selector} selecting the server's labels; ${counts.deny} DENY for other principals, ${counts.allow - 1} ALLOW for other principals/namespaces/source ranges, and ${policyName(B5_POLICY_SET.total - 1)} (the last evaluated) ALLOWs ${principalOf(subjectOf(cluster).client)} on port ${SERVER_PORTS.echo}`,
  };
  const lossMet = lossPercent < GOAL_LOSS_PERCENT && refused === 0 && errorsWithout === 0;
  const pushes = switches.filter((s) => s.to === 'policies').map((s) => s.seconds);
  const removals = switches.filter((s) => s.to === 'none').map((s) => s.seconds);
  const raw = {
    concurrency: CONCURRENCY, ...plan, policies: B5_POLICY_SET.total, policySet: applies,
    withoutPolicies: spread(rates('none'), 1), withPolicies: spread(rates('policies'), 1),
    lossPercent: round(lossPercent, 2), lossPercentPerRepetition: perRepLoss.map((x) => round(x, 2)),
    refusedWithPolicies: refused, errorsWithoutPolicies: errorsWithout,
    daemonPolicies: { baseline: expected.none, withSet: expected.policies },
    push: { applySeconds: pushes, removeSeconds: removals, switches },
    rounds: rounds.map((r) => ({
      config: r.config, rep: r.repetition, perSecond: round(r.run.perSecond, 1), connections: r.run.connections, errors: r.run.errors,
      refusedByPolicy: r.denied, firstError: r.run.firstError, latencyMs: rounded(r.run.latencyMs), policies: r.policies,
      daemonCpuMsPerConnection: Object.fromEntries(Object.entries(r.processes).filter(([k]) => k.startsWith('daemon-')).map(([k, p]) => [k, round((p.vcpu / r.run.perSecond) * 1000, 3)])),
      processes: r.processes,
    })),
    idle,
    method: 'one mesh; the policies are one YAML file in the controller\'s watched directory (loopback mesh: its StaticSource), written/removed between rounds, order rotated per repetition; a round starts once both daemons hold the expected policy count (/config_dump) and the server workload lists the expected selector keys; refusals from node-2\'s istio_tcp_connections_failed_total{response_flags="DENY"}; cpu windows include the warm-up (daemonCpuMsPerConnection = vCPU / conn/s, approximate); daemon RSS after a switch includes the garbage of the /config_dump polls (several MB of JSON each with the policies)',
    setup: mesh.setup,
  };
  return [
    {
      id: ID, case: CASE, metric: `connection-rate loss with 10,000 AuthorizationPolicies applying to the server (vs none, ${CONCURRENCY} concurrent)`, unit: '%',
      ambit: round(lossPercent, 1), goal: `< ${GOAL_LOSS_PERCENT}`, met: lossMet, raw,
    },
    {
      id: ID, case: CASE, metric: `new connections/s with 10,000 policies (connect, 5 B each way, close; ${CONCURRENCY} concurrent)`, unit: '1/s',
      ambit: round(withPolicies), baseline: round(without), baselineName: 'Ambit, no policies', goal: '', met: true,
      raw: { withPolicies: spread(rates('policies'), 1), withoutPolicies: spread(rates('none'), 1), note: 'the figures behind the loss (first row)' },
    },
    {
      id: ID, case: CASE, metric: 'L4 authorization decision time, all 10,000 policies applying (in process, median of runs)', unit: 'µs',
      ambit: round(decision.allowedMedianUs, 3), goal: `< ${GOAL_DECISION_US}`, met: decision.allowedMedianUs < GOAL_DECISION_US, raw: decision.raw,
    },
  ];
}
