// A Pod object as waypoint status reads it. The STATUS text follows kubectl's pod printer
// (printPod in kubernetes pkg/printers/internalversion/printers.go): phase, or
// status.reason; the first unfinished init container as Init:<reason> or Init:<i>/<n>;
// then the containers from last to first, a waiting or terminated reason winning
// (Signal:N / ExitCode:N without a reason); Completed with a container still running
// reads Running (NotReady when the pod is not Ready); a deleted pod is Terminating, or
// Unknown when its node was lost. Ready is the pod's Ready condition being True (what
// the endpoints controller puts a pod behind its Service by).
import test from 'ava';
import type { KubeObject } from '../../../controller/config/resource.js';
import { podReady, podStatusText, selectablePod } from '../../../controller/gateway/pod-view.js';

function pod(status: Record<string, unknown>, extra: { spec?: Record<string, unknown>; deletionTimestamp?: string } = {}): KubeObject {
  const metadata = { name: 'wp-1', namespace: 'shop', labels: { app: 'wp' }, ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: extra.spec ?? { containers: [{ name: 'waypoint' }] }, status };
}

const READY = [{ type: 'Ready', status: 'True' }];
const NOT_READY = [{ type: 'Ready', status: 'False' }];
const running = (ready = true): Record<string, unknown> => ({ name: 'waypoint', ready, started: true, state: { running: { startedAt: '2024-05-01T00:00:00Z' } } });
const waiting = (reason: string): Record<string, unknown> => ({ name: 'waypoint', ready: false, state: { waiting: { reason } } });
const terminated = (t: Record<string, unknown>): Record<string, unknown> => ({ name: 'waypoint', ready: false, state: { terminated: t } });

const rows: [string, KubeObject, string, boolean][] = [
  ['running and ready', pod({ phase: 'Running', conditions: READY, containerStatuses: [running()] }), 'Running', true],
  ['running, not ready yet (readiness probe)', pod({ phase: 'Running', conditions: NOT_READY, containerStatuses: [running(false)] }), 'Running', false],
  ['not scheduled: the phase', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] }), 'Pending', false],
  ['no Ready condition at all is not ready', pod({ phase: 'Running' }), 'Running', false],
  ['pulling or creating: the waiting reason', pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }), 'ContainerCreating', false],
  ['crashing', pod({ phase: 'Running', conditions: NOT_READY, containerStatuses: [waiting('CrashLoopBackOff')] }), 'CrashLoopBackOff', false],
  ['image pull failing', pod({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] }), 'ImagePullBackOff', false],
  ['terminated with a reason', pod({ phase: 'Failed', containerStatuses: [terminated({ reason: 'Error', exitCode: 1 })] }), 'Error', false],
  ['terminated without a reason: the exit code', pod({ phase: 'Failed', containerStatuses: [terminated({ exitCode: 2 })] }), 'ExitCode:2', false],
  ['terminated by a signal without a reason', pod({ phase: 'Failed', containerStatuses: [terminated({ exitCode: 137, signal: 9 })] }), 'Signal:9', false],
  ['status.reason wins over the phase', pod({ phase: 'Failed', reason: 'Evicted' }), 'Evicted', false],
  ['Completed with another container running reads Running', pod({ phase: 'Running', conditions: READY, containerStatuses: [running(), terminated({ reason: 'Completed', exitCode: 0 })] }), 'Running', true],
  ['… or NotReady when the pod is not Ready', pod({ phase: 'Running', conditions: NOT_READY, containerStatuses: [running(), terminated({ reason: 'Completed', exitCode: 0 })] }), 'NotReady', false],
  ['an init container not started yet: Init:i/n', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] }, { spec: { initContainers: [{ name: 'init' }] } }), 'Init:0/1', false],
  ['an init container failing: Init:<reason>', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, { spec: { initContainers: [{ name: 'init' }] } }), 'Init:CrashLoopBackOff', false],
  ['an init container that failed: Init:ExitCode:N', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 3 } } }] }, { spec: { initContainers: [{ name: 'init' }] } }), 'Init:ExitCode:3', false],
  ['init containers done, a started sidecar: the containers decide', pod({
    phase: 'Running', conditions: READY,
    initContainerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'proxy', started: true, state: { running: {} } }],
    containerStatuses: [running()],
  }, { spec: { initContainers: [{ name: 'a' }, { name: 'proxy', restartPolicy: 'Always' }] } }), 'Running', true],
  ['being deleted', pod({ phase: 'Running', conditions: READY, containerStatuses: [running()] }, { deletionTimestamp: '2024-05-01T00:00:00Z' }), 'Terminating', true],
  ['being deleted on a lost node', pod({ phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: '2024-05-01T00:00:00Z' }), 'Unknown', false],
  ['deleted after it finished keeps its text', pod({ phase: 'Succeeded', containerStatuses: [terminated({ reason: 'Completed', exitCode: 0 })] }, { deletionTimestamp: '2024-05-01T00:00:00Z' }), 'Completed', false],
  ['no status at all', pod({}), 'Unknown', false],
];

for (const [title, p, text, ready] of rows) {
  test(`pod view: ${title}`, (t) => {
    t.is(podStatusText(p), text);
    t.is(podReady(p), ready);
  });
}

test('pod view: a Pod object as the Service selection reads it', (t) => {
  t.deepEqual(selectablePod(pod({ phase: 'Running', conditions: READY, containerStatuses: [running()] })), {
    namespace: 'shop', name: 'wp-1', labels: { app: 'wp' }, ready: true, status: 'Running',
  });
});
