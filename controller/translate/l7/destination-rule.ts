// DestinationRules → the destination policy of each service (reference §5, rules 81-88).
//
// A DR applies to its host after routing; a short host resolves against the DR namespace
// and hosts no Service or ServiceEntry has are ignored. A waypoint looks a service's DRs
// up in the service's own namespace, else in the root namespace; within that namespace
// the most specific host wins (exact over wildcard), and several DRs for that host merge
// oldest first (rule 83): the first definition of a subset name wins, and the first
// top-level trafficPolicy wins whole. DRs with a workloadSelector configure the selected
// client workloads, not waypoints, and `exportTo` is not evaluated. connectionPool and
// outlierDetection are read in dr-resilience.ts, loadBalancer.consistentHash in
// dr-consistent-hash.ts.
import type { L7DestinationPolicy, L7LoadBalancer, L7PolicySettings, L7Subset, L7TrafficPolicy } from '../../../api/l7-model.js';
import type { ConfigView } from '../../config/kinds.js';
import { KINDS } from '../../config/kinds.js';
import type { KubeObject } from '../../config/resource.js';
import { resolveHost } from '../../validation/host-names.js';
import { hostSubsetOf } from '../../validation/names.js';
import type { MeshSettings } from '../mesh.js';
import type { Rec, Warnings } from './common.js';
import { byAge, int, list, nsOf, rec, resourceId, specOf, str, stringMap, text } from './common.js';
import { consistentHash } from './dr-consistent-hash.js';
import { connectionPool, outlierDetection } from './dr-resilience.js';
import type { KnownService, ServiceIndex } from './service-index.js';
import { hostSpecificity } from './service-index.js';
import type { Warn } from './vs-actions.js';

const SIMPLE_LB: Record<string, L7LoadBalancer> = {
  LEAST_REQUEST: 'LEAST_REQUEST',
  LEAST_CONN: 'LEAST_REQUEST', // deprecated alias (rule 84)
  ROUND_ROBIN: 'ROUND_ROBIN',
  RANDOM: 'RANDOM',
  PASSTHROUGH: 'PASSTHROUGH',
};
/** Top-level trafficPolicy fields the waypoint has no use for. */
const IGNORED_POLICY_KEYS = ['tunnel', 'proxyProtocol'];
const IGNORED_LB_KEYS = ['localityLbSetting', 'warmupDurationSecs', 'warmup'];

/**
 * `loadBalancer`: `simple` (unset/UNSPECIFIED → the waypoint's default, LEAST_REQUEST) or
 * `consistentHash` (rule 85), which replaces `simple` when both are set.
 */
function loadBalancer(v: unknown, path: string, warn: Warn): Pick<L7PolicySettings, 'loadBalancer' | 'consistentHash'> {
  const lb = rec(v);
  if (!lb) return {};
  const ignored = IGNORED_LB_KEYS.filter((k) => lb[k] !== undefined && lb[k] !== null);
  if (ignored.length > 0) warn(path, `${ignored.join(', ')} not supported by the waypoint yet: ignored`);
  const simple = str(lb.simple);
  if (rec(lb.consistentHash)) {
    if (simple !== undefined) warn(`${path}.simple`, 'only one of simple or consistentHash may be set; consistentHash applies: ignored');
    const ch = consistentHash(lb.consistentHash, `${path}.consistentHash`, warn);
    return ch ? { consistentHash: ch } : {};
  }
  const simpleLb = simple === undefined ? undefined : SIMPLE_LB[simple];
  return simpleLb ? { loadBalancer: simpleLb } : {};
}

/** What a trafficPolicy or one of its port-level entries sets, each part as written there (rule 82). */
function policySettings(p: Rec, path: string, warn: Warn): L7PolicySettings {
  const out: L7PolicySettings = loadBalancer(p.loadBalancer, `${path}.loadBalancer`, warn);
  const pool = connectionPool(p.connectionPool, `${path}.connectionPool`, warn);
  if (pool) out.connectionPool = pool;
  const outlier = outlierDetection(p.outlierDetection, `${path}.outlierDetection`, warn);
  if (outlier) out.outlierDetection = outlier;
  return out;
}

/** A DR trafficPolicy, and per-port entries that replace it in full for their port (rule 82). */
export function trafficPolicy(v: unknown, path: string, warn: Warn): L7TrafficPolicy | undefined {
  const tp = rec(v);
  if (!tp) return undefined;
  const out: L7TrafficPolicy = policySettings(tp, path, warn);
  const portLevel: NonNullable<L7TrafficPolicy['portLevel']> = [];
  list(tp.portLevelSettings).forEach((item, i) => {
    const at = `${path}.portLevelSettings[${i}]`;
    const pls = rec(item);
    const port = int(rec(pls?.port)?.number);
    if (!pls || port === undefined || port <= 0) {
      warn(`${at}.port`, 'no port number: ignored');
      return;
    }
    if (portLevel.some((p) => p.port === port)) {
      warn(`${at}.port`, `port ${port} already has settings: ignored`);
      return;
    }
    portLevel.push({ port, ...policySettings(pls, at, warn) });
  });
  if (portLevel.length > 0) out.portLevel = portLevel;
  const ignored = IGNORED_POLICY_KEYS.filter((k) => tp[k] !== undefined && tp[k] !== null);
  if (ignored.length > 0) warn(path, `${ignored.join(', ')} not applied by the waypoint yet: ignored`);
  return Object.keys(out).length > 0 ? out : undefined;
}

interface ParsedRule {
  dr: KubeObject;
  namespace: string;
  host: string;
}

function parseRules(view: ConfigView, w: Warnings): ParsedRule[] {
  const out: ParsedRule[] = [];
  for (const dr of [...view.list(KINDS.destinationRule)].sort(byAge)) {
    const spec = specOf(dr);
    const host = text(spec.host);
    if (host === undefined) {
      w.add(resourceId(dr), 'spec.host', 'no host: ignored');
      continue;
    }
    if (Object.keys(stringMap(rec(spec.workloadSelector)?.matchLabels)).length > 0) {
      w.add(resourceId(dr), 'spec.workloadSelector', 'a DestinationRule with a workloadSelector configures the selected client workloads, not waypoints: ignored');
      continue;
    }
    out.push({ dr, namespace: nsOf(dr), host: resolveHost(host, nsOf(dr)) });
  }
  return out;
}

/** The DRs for one service: its namespace first, else the root namespace; the most specific host. */
function rulesFor(s: KnownService, rules: ParsedRule[], rootNamespace: string): ParsedRule[] {
  for (const ns of s.namespace === rootNamespace ? [rootNamespace] : [s.namespace, rootNamespace]) {
    const applicable = rules.filter((r) => r.namespace === ns && hostSubsetOf(s.hostname, r.host));
    if (applicable.length === 0) continue;
    const best = Math.max(...applicable.map((r) => hostSpecificity(r.host)));
    const host = applicable.find((r) => hostSpecificity(r.host) === best)?.host;
    return applicable.filter((r) => r.host === host);
  }
  return [];
}

/** Merges the DRs of one host, oldest first (rule 83). */
export function mergeDestinationRules(rules: readonly KubeObject[], w: Warnings): L7DestinationPolicy {
  const out: L7DestinationPolicy = { origins: [], subsets: [] };
  let policyFrom: string | undefined;
  const subsetFrom = new Map<string, string>();
  for (const dr of rules) {
    const id = resourceId(dr);
    const warn: Warn = (path, message) => w.add(id, path, message);
    const spec = specOf(dr);
    out.origins.push(id);
    if (rec(spec.trafficPolicy)) {
      if (policyFrom === undefined) {
        policyFrom = id;
        const tp = trafficPolicy(spec.trafficPolicy, 'spec.trafficPolicy', warn);
        if (tp) out.trafficPolicy = tp;
      } else warn('spec.trafficPolicy', `the host already has a top-level trafficPolicy from ${policyFrom}; the first one wins: ignored`);
    }
    list(spec.subsets).forEach((item, i) => {
      const subset = rec(item);
      const name = text(subset?.name);
      const at = `spec.subsets[${i}]`;
      if (!subset || name === undefined) {
        warn(at, 'subset without a name: ignored');
        return;
      }
      const prev = subsetFrom.get(name);
      if (prev !== undefined) {
        warn(`${at}.name`, `subset "${name}" is already defined by ${prev}; the first definition wins: ignored`);
        return;
      }
      subsetFrom.set(name, id);
      const s: L7Subset = { name, labels: stringMap(subset.labels) };
      const tp = trafficPolicy(subset.trafficPolicy, `${at}.trafficPolicy`, warn);
      if (tp) s.trafficPolicy = tp;
      out.subsets.push(s);
    });
  }
  return out;
}

/** Destination policies by service key. */
export function buildDestinationPolicies(view: ConfigView, services: ServiceIndex, mesh: MeshSettings, w: Warnings): Map<string, L7DestinationPolicy> {
  const rules = parseRules(view, w);
  const root = mesh.rootNamespace;
  for (const r of rules) {
    const covered = services.covered(r.host);
    if (covered.length === 0) {
      w.add(resourceId(r.dr), 'spec.host', `host ${r.host} is not a known Service or ServiceEntry host: ignored`);
    } else if (r.namespace !== root && covered.every((s) => s.namespace !== r.namespace)) {
      w.add(resourceId(r.dr), 'spec.host', `waypoints look DestinationRules up in the service's namespace (${[...new Set(covered.map((s) => s.namespace))].join(', ')}) and the root namespace (${root}), not in ${r.namespace}: ignored`);
    }
  }
  const out = new Map<string, L7DestinationPolicy>();
  // Services that share a DR set share one merge, so its warnings are reported once.
  const merged = new Map<string, L7DestinationPolicy>();
  for (const s of services.all) {
    const forService = rulesFor(s, rules, root);
    if (forService.length === 0) continue;
    const cacheKey = forService.map((r) => resourceId(r.dr)).join('|');
    let policy = merged.get(cacheKey);
    if (!policy) {
      policy = mergeDestinationRules(forService.map((r) => r.dr), w);
      merged.set(cacheKey, policy);
    }
    out.set(s.key, policy);
  }
  return out;
}
