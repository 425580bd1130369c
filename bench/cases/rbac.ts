// B9, RBAC: time of one L4 authorization decision by the node daemon with 10,000
// policies in its state (spread over 1,000 namespaces), for a destination workload to
// which 3 selector policies, its namespace's policies and 2 mesh-wide policies apply.
// The connections are chosen so every applicable policy is evaluated: DENYs that do not
// match, then ALLOWs matched by the last one, by none, or a mesh-wide DENY that matches.
// Also reports (raw) how long compiling and indexing the 10,000 policies takes.
// No baseline exists for this case.
import type { Authorization, AuthzMatch, AuthzRule } from '../../api/model.js';
import { emptyMatch } from '../../api/model.js';
import type { DestinationWorkload } from '../../daemon/rbac/authorize.js';
import { authorize } from '../../daemon/rbac/authorize.js';
import type { CompiledPolicies } from '../../daemon/rbac/compiled-policies.js';
import { compilePolicies } from '../../daemon/rbac/compiled-policies.js';
import type { Connection } from '../../daemon/rbac/connection.js';
import type { BenchResult } from '../result.js';

const ROOT = 'istio-system';
const POLICIES = 10_000;
const NAMESPACES = 1_000;
const GLOBALS = 2;
const GOAL_US = 5;

const m = (fields: Partial<AuthzMatch>): AuthzMatch => ({ ...emptyMatch(), ...fields });
const exact = (v: string): AuthzMatch['principals'][number] => ({ exact: v, matchType: 'exact' });
const prefix = (v: string): AuthzMatch['principals'][number] => ({ prefix: v, matchType: 'prefix' });

/** A realistic mix of L4 rules: from (principals / namespaces / ipBlocks) and to (ports). */
function rules(ns: string, i: number): AuthzRule[] {
  return [
    {
      clauses: [
        { matches: [m({ principals: [exact(`cluster.local/ns/${ns}/sa/client-${i}`), prefix(`cluster.local/ns/team-${i % 7}/`)] }), m({ namespaces: [exact(`peer-${i}`)] })] },
        { matches: [m({ destinationPorts: [8080, 8443, 9000 + (i % 50)] })] },
      ],
    },
    { clauses: [{ matches: [m({ sourceIps: [{ address: `10.${i % 250}.0.0`, length: 16 }], notDestinationPorts: [15021] })] }] },
  ];
}

function policy(name: string, namespace: string, scope: Authorization['scope'], action: Authorization['action'], r: AuthzRule[]): Authorization {
  return { name, namespace, scope, action, rules: r, dryRun: false };
}

/**
 * 2 mesh-wide policies + 9,998 spread over 1,000 namespaces: per namespace, the first 3
 * are namespace-wide (DENY, ALLOW, ALLOW), the rest are selector policies.
 */
function state(): Authorization[] {
  const out: Authorization[] = [
    // Deny plaintext to the admin port everywhere; allow the monitoring namespace everywhere.
    policy('deny-plaintext-admin', ROOT, 'GLOBAL', 'DENY', [{ clauses: [{ matches: [m({ notPrincipals: [{ presence: true, matchType: 'presence' }], destinationPorts: [9901] })] }] }]),
    policy('allow-monitoring', ROOT, 'GLOBAL', 'ALLOW', [{ clauses: [{ matches: [m({ namespaces: [exact('monitoring')] })] }] }]),
  ];
  const perNs = new Map<string, number>();
  for (let i = 0; i < POLICIES - GLOBALS; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    const k = perNs.get(ns) ?? 0;
    perNs.set(ns, k + 1);
    const scope = k < 3 ? 'NAMESPACE' : 'WORKLOAD_SELECTOR';
    const action = k === 0 || k === 3 ? 'DENY' : 'ALLOW';
    out.push(policy(`p-${k}`, ns, scope, action, rules(ns, i)));
  }
  return out;
}

const DEST_NS = 'ns-42';
/** Selector policies p-3 (DENY), p-4, p-5 (ALLOW) of its namespace. */
const DESTINATION: DestinationWorkload = { namespace: DEST_NS, authorizationPolicies: [`${DEST_NS}/p-3`, `${DEST_NS}/p-4`, `${DEST_NS}/p-5`] };
const id = (ns: string, sa: string): Connection['srcIdentity'] => ({ trustDomain: 'cluster.local', namespace: ns, serviceAccount: sa });

/** [label, connection]: each walks all applicable DENYs first. */
function connections(): [string, Connection][] {
  // p-5 of ns-42 is policy index 5*1000+42 = 5042: its first rule allows client-5042 on 8080.
  return [
    ['allowed by the last selector ALLOW (mTLS)', { srcIp: '192.168.1.1', dstIp: '10.42.0.9', dstPort: 8080, srcIdentity: id(DEST_NS, 'client-5042') }],
    ['denied, no ALLOW matched (mTLS)', { srcIp: '192.168.1.1', dstIp: '10.42.0.9', dstPort: 8080, srcIdentity: id('stranger', 'x') }],
    ['denied, no ALLOW matched (plaintext)', { srcIp: '192.168.1.1', dstIp: '10.42.0.9', dstPort: 7000 }],
    ['denied by the mesh-wide DENY (plaintext, IPv4-mapped source)', { srcIp: '::ffff:192.168.1.1', dstIp: '10.42.0.9', dstPort: 9901 }],
  ];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nanoseconds per decision over `n` decisions cycling through `conns`. */
function decisionRun(compiled: CompiledPolicies, conns: readonly Connection[], n: number): { nsPerCall: number; allowed: number } {
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (authorize(conns[i % conns.length]!, DESTINATION, compiled).allowed) allowed++;
  }
  return { nsPerCall: Number(process.hrtime.bigint() - start) / n, allowed };
}

function compileRuns(policies: readonly Authorization[], runs: number): { ms: number[]; compiled: CompiledPolicies } {
  const ms: number[] = [];
  let compiled: CompiledPolicies | undefined;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    compiled = compilePolicies(policies, ROOT);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms, compiled: compiled! };
}

export async function runRbacBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const policies = state();
  const { ms: compileMs, compiled } = compileRuns(policies, opts.quick ? 3 : 7);

  // Recompiling after one policy changed, reusing the previous compilation.
  const changed = [...policies];
  changed[10] = { ...changed[10]!, rules: rules('ns-8', 999_999) };
  const incStart = process.hrtime.bigint();
  compilePolicies(changed, ROOT, compiled);
  const incrementalMs = Number(process.hrtime.bigint() - incStart) / 1e6;

  const labelled = connections();
  const conns = labelled.map(([, c]) => c);
  const n = opts.quick ? 100_000 : 500_000;
  const runs = opts.quick ? 5 : 9;
  decisionRun(compiled, conns, n); // warm-up, not reported
  const samples: number[] = [];
  let allowed = 0;
  for (let r = 0; r < runs; r++) {
    const run = decisionRun(compiled, conns, n);
    samples.push(run.nsPerCall);
    allowed = run.allowed;
  }
  const perKind: Record<string, { nsPerCall: number; allowed: boolean }> = {};
  for (const [label, c] of labelled) {
    const run = decisionRun(compiled, [c], Math.floor(n / 4));
    perKind[label] = { nsPerCall: Math.round(run.nsPerCall), allowed: run.allowed > 0 };
  }
  await Promise.resolve();

  const medianNs = median(samples);
  const medianUs = medianNs / 1000;
  const bucket = compiled.byNamespace.get(DEST_NS);
  return [
    {
      id: 'B9',
      case: 'RBAC',
      metric: 'L4 authorization decision time (10,000 policies in state; median of runs)',
      unit: 'µs',
      ambit: Math.round(medianUs * 1000) / 1000,
      goal: `< ${GOAL_US}`,
      met: medianUs < GOAL_US,
      raw: {
        nsPerDecisionRuns: samples.map((s) => Math.round(s)),
        medianNsPerDecision: Math.round(medianNs),
        maxNsPerDecision: Math.round(Math.max(...samples)),
        decisionsPerRun: n,
        allowedPerRun: allowed,
        perConnectionKind: perKind,
        policiesInState: policies.length,
        namespaces: NAMESPACES,
        applicable: {
          global: compiled.global.deny.length + compiled.global.allow.length,
          namespace: (bucket?.deny.length ?? 0) + (bucket?.allow.length ?? 0),
          selector: DESTINATION.authorizationPolicies.length,
        },
        compilePoliciesMs: compileMs.map((x) => Math.round(x * 10) / 10),
        compilePoliciesColdMs: Math.round((compileMs[0] ?? 0) * 10) / 10,
        compilePoliciesMedianMs: Math.round(median(compileMs) * 10) / 10,
        recompileOneChangedMs: Math.round(incrementalMs * 100) / 100,
      },
    },
  ];
}
