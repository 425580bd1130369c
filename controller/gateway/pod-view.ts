// A Pod object as waypoint status reads it: ready when its Ready condition is True (what
// the endpoints controller goes by), and the STATUS text `kubectl get pods` prints,
// computed the way kubectl's pod printer does (phase or reason, then the first
// unfinished init container, then the containers' waiting or terminated reasons, then
// Terminating). Pure; the Kubernetes source keeps every Pod with its status.
import type { KubeObject } from '../config/resource.js';
import { int, list, nsOf, rec, text, type Rec } from '../translate/l7/common.js';
import type { SelectablePod } from './waypoint-status-input.js';

/** The Ready condition is True. */
export function podReady(pod: KubeObject): boolean {
  return list(rec(pod.status)?.conditions).some((c) => rec(c)?.type === 'Ready' && rec(c)?.status === 'True');
}

/** `Signal:9`, `ExitCode:1` or the termination reason (kubectl's wording). */
function terminatedText(t: Rec): string {
  const reason = text(t.reason);
  if (reason) return reason;
  const signal = int(t.signal) ?? 0;
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(t.exitCode) ?? 0}`;
}

/** kubectl's text for an unfinished init container, or undefined when they all finished. */
function initText(statuses: readonly Rec[], total: number): string | undefined {
  for (const [i, s] of statuses.entries()) {
    const state = rec(s.state) ?? {};
    const terminated = rec(state.terminated);
    if (terminated && (int(terminated.exitCode) ?? 0) === 0) continue;
    if (rec(state.running) && s.started === true) continue; // a started sidecar (restartable init container)
    if (terminated) return `Init:${terminatedText(terminated)}`;
    const waiting = text(rec(state.waiting)?.reason);
    if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
    return `Init:${i}/${total}`;
  }
  return undefined;
}

/** The STATUS column of `kubectl get pods`: Running, Pending, ContainerCreating, CrashLoopBackOff, Completed, Init:0/1, Terminating, … */
export function podStatusText(pod: KubeObject): string {
  const status = rec(pod.status) ?? {};
  let reason = text(status.reason) ?? text(status.phase) ?? 'Unknown';
  const init = initText(list(status.initContainerStatuses).map((s) => rec(s) ?? {}), list(rec(pod.spec)?.initContainers).length);
  if (init !== undefined) reason = init;
  else {
    let running = false;
    for (const s of list(status.containerStatuses).map((c) => rec(c) ?? {}).reverse()) {
      const state = rec(s.state) ?? {};
      const waiting = text(rec(state.waiting)?.reason);
      const terminated = rec(state.terminated);
      if (waiting) reason = waiting;
      else if (terminated) reason = terminatedText(terminated);
      else if (s.ready === true && rec(state.running)) running = true;
    }
    if (reason === 'Completed' && running) reason = podReady(pod) ? 'Running' : 'NotReady';
  }
  const deleting = text(rec(pod.metadata)?.deletionTimestamp) !== undefined;
  if (deleting && status.reason === 'NodeLost') return 'Unknown';
  if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') return 'Terminating';
  return reason;
}

/** A Pod object as the waypoint Service's selection and status read it. */
export function selectablePod(pod: KubeObject): SelectablePod {
  return { namespace: nsOf(pod), name: pod.metadata.name, labels: pod.metadata.labels, ready: podReady(pod), status: podStatusText(pod) };
}
