// Which pod `exec`/`logs` use for a target: a pod by name, or the best pod of a Deployment.
import test from 'ava';
import { pickPod } from '../../../cli/commands/local-ops.js';
import type { PodTarget } from '../../../cli/local/args.js';
import type { PodInfo } from '../../../cli/local/runtime-api.js';

const pod = (name: string, extra: Partial<PodInfo> = {}): PodInfo => ({
  namespace: 'default', name, node: 'node-1', ip: '10.244.1.2', status: 'Running', ready: true, mesh: 'no', netns: `n-${name}`,
  containers: [], labels: {}, serviceAccount: 'default', ...extra,
});

test('pickPod', (t) => {
  const pods = [
    pod('web-b', { deployment: 'web' }),
    pod('web-a', { deployment: 'web', status: 'Error(exit code 1)', ready: false }),
    pod('web-c', { deployment: 'web', ready: false }),
    pod('solo'),
    pod('solo', { namespace: 'other' }),
    pod('api-1', { deployment: 'api', status: 'Pending', ready: false }),
  ];
  const cases: [PodTarget, string, string | undefined][] = [
    [{ pod: 'solo' }, 'default', 'default/solo'],
    [{ pod: 'solo' }, 'other', 'other/solo'],
    [{ pod: 'missing' }, 'default', undefined],
    [{ deployment: 'web' }, 'default', 'default/web-b'], // ready beats running-not-ready beats the rest, then by name
    [{ deployment: 'api' }, 'default', 'default/api-1'], // not running: still the only one
    [{ deployment: 'web' }, 'other', undefined],
    [{ deployment: 'nothing' }, 'default', undefined],
  ];
  for (const [target, ns, want] of cases) {
    const p = pickPod(pods, target, ns);
    t.is(p ? `${p.namespace}/${p.name}` : undefined, want, `${JSON.stringify(target)} in ${ns}`);
  }
  t.is(pickPod([pod('web-c', { deployment: 'web', ready: false }), pod('web-z', { deployment: 'web', status: 'Pending', ready: false })], { deployment: 'web' }, 'default')?.name, 'web-c');
});
