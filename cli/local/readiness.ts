// When is a pod ready, in the local runtime's sense (what `up` and `apply` wait for):
// every container process runs and every declared TCP containerPort listens in the pod's
// network namespace. A pod that completed (exit 0) counts as done; one that crashed,
// vanished or was stopped has failed, and waiting longer would not help. Pure.
import type { ProcessStatus } from './supervisor.js';

export interface PodObservation {
  /** "<namespace>/<name>" */
  key: string;
  status: ProcessStatus;
  /** Declared TCP containerPorts of all containers. */
  ports: readonly number[];
  /** Ports listening in the pod netns (undefined: could not be read). */
  listening?: readonly number[];
}

export type ReadinessState = 'ready' | 'waiting' | 'failed';

export interface PodReadiness {
  key: string;
  state: ReadinessState;
  /** Why it is not ready (empty when ready). */
  reason: string;
}

export function podReadiness(o: PodObservation): PodReadiness {
  const { key, status } = o;
  switch (status.state) {
    case 'Running': {
      const listening = new Set(o.listening ?? []);
      const missing = [...new Set(o.ports)].filter((p) => !listening.has(p)).sort((a, b) => a - b);
      if (missing.length === 0) return { key, state: 'ready', reason: '' };
      return { key, state: 'waiting', reason: `port${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not listening` };
    }
    case 'Completed': return { key, state: 'ready', reason: '' };
    case 'Pending': return { key, state: 'waiting', reason: 'not started' };
    default: return { key, state: 'failed', reason: status.text };
  }
}

export interface ReadinessSummary {
  /** Every pod is ready. */
  ready: boolean;
  /** No pod is still waiting (each is ready or failed): nothing more to wait for. */
  settled: boolean;
  /** "pod <key>: <reason>" for each pod not ready, failed ones first. */
  problems: string[];
}

export function summarizeReadiness(pods: readonly PodReadiness[]): ReadinessSummary {
  const failed = pods.filter((p) => p.state === 'failed');
  const waiting = pods.filter((p) => p.state === 'waiting');
  return {
    ready: failed.length === 0 && waiting.length === 0,
    settled: waiting.length === 0,
    problems: [...failed, ...waiting].map((p) => `pod ${p.key}: ${p.reason}`),
  };
}

/** The declared TCP ports of a pod's containers (protocol TCP or unset). */
export function declaredTcpPorts(containers: readonly { ports?: readonly { containerPort: number; protocol?: string }[] }[]): number[] {
  const out = new Set<number>();
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP').toUpperCase() === 'TCP' && Number.isInteger(p.containerPort) && p.containerPort > 0) out.add(p.containerPort);
    }
  }
  return [...out].sort((a, b) => a - b);
}
