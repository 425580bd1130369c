// Pod readiness for up/apply: running and listening, completed, failed, waiting (table tests).
import test from 'ava';
import { declaredTcpPorts, podReadiness, summarizeReadiness, type PodObservation, type ReadinessState } from '../../../cli/local/readiness.js';
import type { ProcessStatus } from '../../../cli/local/supervisor.js';

const running: ProcessStatus = { state: 'Running', text: 'Running' };
const obs = (status: ProcessStatus, ports: number[] = [], listening?: number[]): PodObservation => ({ key: 'default/p', status, ports, listening });

test('podReadiness', (t) => {
  const cases: [string, PodObservation, ReadinessState, string][] = [
    ['running, no ports', obs(running), 'ready', ''],
    ['running, port listening', obs(running, [80], [80, 15000]), 'ready', ''],
    ['running, port not listening yet', obs(running, [80, 9090], [9090]), 'waiting', 'port 80 not listening'],
    ['running, ports unknown', obs(running, [80, 8080]), 'waiting', 'ports 80, 8080 not listening'],
    ['completed', obs({ state: 'Completed', exitCode: 0, text: 'Completed' }, [80]), 'ready', ''],
    ['not started', obs({ state: 'Pending', text: 'Pending' }), 'waiting', 'not started'],
    ['crashed', obs({ state: 'Error', exitCode: 3, text: 'Error(exit code 3)' }, [80]), 'failed', 'Error(exit code 3)'],
    ['killed', obs({ state: 'Error', signal: 'SIGKILL', text: 'Error(signal SIGKILL)' }), 'failed', 'Error(signal SIGKILL)'],
    ['gone while unsupervised', obs({ state: 'Unknown', text: 'Unknown' }), 'failed', 'Unknown'],
    ['stopped', obs({ state: 'Terminated', text: 'Terminated' }), 'failed', 'Terminated'],
  ];
  for (const [name, o, state, reason] of cases) t.deepEqual(podReadiness(o), { key: 'default/p', state, reason }, name);
});

test('summarizeReadiness: ready, settled, problems (failed first)', (t) => {
  const r = (key: string, state: ReadinessState, reason = ''): { key: string; state: ReadinessState; reason: string } => ({ key, state, reason });
  const cases: [string, ReturnType<typeof r>[], boolean, boolean, string[]][] = [
    ['none', [], true, true, []],
    ['all ready', [r('d/a', 'ready'), r('d/b', 'ready')], true, true, []],
    ['one waiting', [r('d/a', 'ready'), r('d/b', 'waiting', 'port 80 not listening')], false, false, ['pod d/b: port 80 not listening']],
    ['one failed, one waiting', [r('d/a', 'waiting', 'not started'), r('d/b', 'failed', 'Error(exit code 1)')], false, false, ['pod d/b: Error(exit code 1)', 'pod d/a: not started']],
    ['failed only: settled', [r('d/a', 'ready'), r('d/b', 'failed', 'Unknown')], false, true, ['pod d/b: Unknown']],
  ];
  for (const [name, pods, ready, settled, problems] of cases) t.deepEqual(summarizeReadiness(pods), { ready, settled, problems }, name);
});

test('declaredTcpPorts: TCP (or unset) ports of all containers, unique and sorted', (t) => {
  t.deepEqual(declaredTcpPorts([
    { ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] },
    { ports: [{ containerPort: 9090, protocol: 'tcp' }, { containerPort: 8080 }] },
    {},
    { ports: [{ containerPort: 0 }] },
  ]), [8080, 9090]);
});
