// `ambit local` argument parsing (table tests): every subcommand, defaults, environment, errors.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { nodeNames, parseLabelEdits, parseLocalArgs, parseTimeout, type LocalCommand } from '../../../cli/local/args.js';

const base = { cluster: 'local', stateRoot: '/run/ambit' };

test('parseLocalArgs: valid command lines', (t) => {
  const cases: [string[], Record<string, string>, LocalCommand][] = [
    [['up'], {}, { ...base, cmd: 'up', files: [], nodes: 2, timeoutMs: 120_000 }],
    [['up', '-f', 'a.yaml', '-f', 'dir', '--nodes', '3', '--timeout', '90s'], {}, { ...base, cmd: 'up', files: ['a.yaml', 'dir'], nodes: 3, timeoutMs: 90_000 }],
    [['up', '--cluster', 'c1', '--state-root', '/tmp/x'], {}, { cluster: 'c1', stateRoot: '/tmp/x', cmd: 'up', files: [], nodes: 2, timeoutMs: 120_000 }],
    [['up'], { AMBIT_CLUSTER: 'envc', AMBIT_STATE_ROOT: '/tmp/e' }, { cluster: 'envc', stateRoot: '/tmp/e', cmd: 'up', files: [], nodes: 2, timeoutMs: 120_000 }],
    [['up', '--cluster', 'flag'], { AMBIT_CLUSTER: 'envc' }, { ...base, cluster: 'flag', cmd: 'up', files: [], nodes: 2, timeoutMs: 120_000 }],
    [['apply', '-f', '-'], {}, { ...base, cmd: 'apply', files: ['-'], timeoutMs: 60_000 }],
    [['delete', '-f', 'x.yaml', '--timeout', '1500ms'], {}, { ...base, cmd: 'delete', files: ['x.yaml'], timeoutMs: 1500 }],
    [['label', 'ns', 'default', 'istio.io/dataplane-mode=ambient'], {}, { ...base, cmd: 'label', kind: 'ns', name: 'default', namespace: 'default', edit: { 'istio.io/dataplane-mode': 'ambient' }, timeoutMs: 60_000 }],
    [['label', 'pod', 'p', 'a=1', 'b-', '-n', 'foo'], {}, { ...base, cmd: 'label', kind: 'pod', name: 'p', namespace: 'foo', edit: { a: '1', b: null }, timeoutMs: 60_000 }],
    [['exec', 'deploy/sleep', '--', 'curl', '-s', 'http://x'], {}, { ...base, cmd: 'exec', target: { deployment: 'sleep' }, namespace: 'default', argv: ['curl', '-s', 'http://x'] }],
    [['exec', 'mypod', '-n', 'foo', '--', 'sh', '-c', 'exit 3', '--', '-n'], {}, { ...base, cmd: 'exec', target: { pod: 'mypod' }, namespace: 'foo', argv: ['sh', '-c', 'exit 3', '--', '-n'] }],
    [['exec', 'pod/p', '--', 'true'], {}, { ...base, cmd: 'exec', target: { pod: 'p' }, namespace: 'default', argv: ['true'] }],
    [['get', 'pods'], {}, { ...base, cmd: 'get', what: 'pods', namespace: 'default', output: 'table' }],
    [['get', 'po', '-A', '-o', 'json'], {}, { ...base, cmd: 'get', what: 'pods', namespace: undefined, output: 'json' }],
    [['get', 'svc', '-n', 'foo'], {}, { ...base, cmd: 'get', what: 'services', namespace: 'foo', output: 'table' }],
    [['get', 'nodes', '-o', 'json'], {}, { ...base, cmd: 'get', what: 'nodes', namespace: 'default', output: 'json' }],
    [['get', 'workloads', '-A'], {}, { ...base, cmd: 'get', what: 'workloads', namespace: undefined, output: 'table' }],
    [['logs', 'controller'], {}, { ...base, cmd: 'logs', target: { controller: true }, namespace: 'default' }],
    [['logs', 'node/node-2'], {}, { ...base, cmd: 'logs', target: { node: 'node-2' }, namespace: 'default' }],
    [['logs', 'deploy/httpbin', '-n', 'x'], {}, { ...base, cmd: 'logs', target: { deployment: 'httpbin' }, namespace: 'x' }],
    [['logs', 'crash-1'], {}, { ...base, cmd: 'logs', target: { pod: 'crash-1' }, namespace: 'default' }],
    [['proxy-config', 'node-1', 'workloads', '-o', 'json'], {}, { ...base, cmd: 'proxy-config', target: { node: 'node-1' }, namespace: 'default', section: 'workloads' }],
    [['proxy-config', 'node-2'], {}, { ...base, cmd: 'proxy-config', target: { node: 'node-2' }, namespace: 'default', section: 'all' }],
    [['proxy-config', 'node-1', 'certs'], {}, { ...base, cmd: 'proxy-config', target: { node: 'node-1' }, namespace: 'default', section: 'certs' }],
    [['proxy-config', 'deploy/waypoint', 'routes', '-n', 'bookinfo'], {}, { ...base, cmd: 'proxy-config', target: { deployment: 'waypoint' }, namespace: 'bookinfo', section: 'routes' }],
    [['proxy-config', 'waypoint-abc12', 'upstreams'], {}, { ...base, cmd: 'proxy-config', target: { pod: 'waypoint-abc12' }, namespace: 'default', section: 'upstreams' }],
    [['metrics', 'node-1'], {}, { ...base, cmd: 'metrics', node: 'node-1' }],
    [['down'], {}, { ...base, cmd: 'down' }],
    [['runtime', '--nodes', '3', '--cluster', 'c2'], {}, { ...base, cluster: 'c2', cmd: 'runtime', nodes: 3 }],
    [[], {}, { ...base, cmd: 'help' }],
    [['help'], {}, { ...base, cmd: 'help' }],
  ];
  for (const [argv, env, want] of cases) t.deepEqual(parseLocalArgs(argv, env), want, argv.join(' '));
});

test('parseLocalArgs: errors name the problem', (t) => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['up', '--nodes', '0'], /--nodes must be a whole number from 1 to 253/],
    [['up', '--nodes', 'two'], /--nodes must be/],
    [['up', '--cluster', 'Bad-Name'], /invalid local cluster name/],
    [['up', '--cluster', 't'], /reserved/],
    [['up', '--state-root', 'relative'], /absolute path/],
    [['up', '--timeout', 'soon'], /--timeout must be/],
    [['up', 'extra'], /unexpected argument "extra"/],
    [['up', '-n', 'x'], /option --namespace does not apply here/],
    [['up', '--bogus'], /Unknown option '--bogus'/],
    [['apply'], /give -f FILE\|DIR\|-/],
    [['label', 'deploy', 'x', 'a=b'], /first argument is ns, pod or svc/],
    [['label', 'pod'], /give the pod name/],
    [['label', 'ns', 'default'], /give key=value or key-/],
    [['label', 'ns', 'default', 'novalue'], /invalid label "novalue"/],
    [['label', 'ns', 'default', 'bad key=x'], /invalid label key "bad key"/],
    [['label', 'ns', 'default', 'k=bad value'], /invalid value "bad value" of label k/],
    [['exec', 'deploy/sleep', 'curl'], /put the command after --/],
    [['exec', 'deploy/sleep', '--'], /give the command to run after --/],
    [['exec', '--', 'true'], /give one target/],
    [['get'], /one of nodes, pods, svc, workloads/],
    [['get', 'deployments'], /not "deployments"/],
    [['get', 'pods', '-o', 'yaml'], /-o supports json only/],
    [['get', 'pods', '-A', '-n', 'x'], /-n and -A exclude each other/],
    [['logs'], /give one of controller/],
    [['logs', 'node/worker'], /"worker" is not a node name/],
    [['proxy-config'], /give a node \(node-1, …\) or a waypoint pod/],
    [['proxy-config', 'node-1', 'clusters'], /the section is one of workloads, services, policies, certs, routes, upstreams, all/],
    [['metrics', 'localhost'], /"localhost" is not a node name/],
    [['down', 'now'], /unexpected argument "now"/],
  ];
  for (const [argv, re] of cases) {
    const err = t.throws(() => parseLocalArgs(argv, {}), undefined, argv.join(' '));
    t.true(isAmbitError(err), argv.join(' '));
    t.regex(err?.message ?? '', re, argv.join(' '));
  }
});

test('timeouts, label edits and node names', (t) => {
  const timeouts: [string | undefined, number][] = [[undefined, 7], ['5', 5000], ['5s', 5000], ['250ms', 250], ['2m', 120_000]];
  for (const [text, ms] of timeouts) t.is(parseTimeout(text, 7), ms, String(text));
  t.deepEqual(parseLabelEdits(['a=1', 'b=', 'example.com/c-']), { a: '1', b: '', 'example.com/c': null });
  t.throws(() => parseLabelEdits(['d=x=y']), { message: /invalid value "x=y" of label d/ });
  t.deepEqual(nodeNames(3), ['node-1', 'node-2', 'node-3']);
});
