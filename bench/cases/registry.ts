// Every case of `make bench`: its id (from the issue), a short key, and how to load its
// runner. Runners are loaded only inside the case's child process (see case-child.ts),
// so the runner process itself never loads controller or daemon code.
import type { BenchResult } from '../result.js';

export type CaseRunner = (opts: { quick: boolean }) => Promise<BenchResult[]>;

export interface BenchCase {
  id: string;
  key: string;
  name: string;
  load(): Promise<CaseRunner>;
}

export const CASES: readonly BenchCase[] = [
  { id: 'B1', key: 'l4-latency', name: 'L4 added latency', load: async () => (await import('./l4-latency.js')).runL4LatencyBench },
  { id: 'B2', key: 'l4-cpu', name: 'L4 daemon CPU and memory', load: async () => (await import('./l4-cpu.js')).runL4CpuBench },
  { id: 'B3', key: 'l4-throughput', name: 'L4 bulk throughput', load: async () => (await import('./l4-throughput.js')).runL4ThroughputBench },
  { id: 'B4', key: 'l4-conn-rate', name: 'L4 connection rate', load: async () => (await import('./l4-conn-rate.js')).runL4ConnRateBench },
  { id: 'B5', key: 'l4-authz-conn-rate', name: 'L4 authorization, 10,000 policies', load: async () => (await import('./l4-authz-conn-rate.js')).runL4AuthzConnRateBench },
  { id: 'B6', key: 'waypoint-hop', name: 'Waypoint hop', load: async () => (await import('./waypoint-hop.js')).runWaypointHopBench },
  { id: 'B7', key: 'ca', name: 'CA issuance', load: async () => (await import('./ca.js')).runCaBench },
  { id: 'B8', key: 'config-push', name: 'Config push', load: async () => (await import('./config-push.js')).runConfigPushBench },
  { id: 'B9', key: 'rbac', name: 'RBAC', load: async () => (await import('./rbac.js')).runRbacBench },
];

/** The cases `--only` selects (by id or key, case-insensitive); all when `only` is undefined. */
export function selectCases(only: readonly string[] | undefined): BenchCase[] {
  if (!only) return [...CASES];
  const wanted = only.map((s) => s.toLowerCase());
  const unknown = wanted.filter((w) => !CASES.some((c) => c.id.toLowerCase() === w || c.key === w));
  if (unknown.length > 0) {
    throw new Error(`unknown case(s) ${unknown.join(', ')}; known: ${CASES.map((c) => `${c.id} (${c.key})`).join(', ')}`);
  }
  return CASES.filter((c) => wanted.includes(c.id.toLowerCase()) || wanted.includes(c.key));
}
