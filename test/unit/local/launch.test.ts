// podLaunch: Pod → what the supervisor runs (argv, env, ports), Kubernetes env rules.
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { expandVars, podLaunch } from '../../../cli/local/launch.js';
import { SYSTEM_PATH } from '../../../cli/local/ip.js';
import { materialize } from '../../../cli/local/materialize.js';

function pod(spec: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels, annotations: { team: 'blue' } },
    spec: { nodeName: 'node-2', serviceAccountName: 'web-sa', ...spec },
    status: { podIP: '10.244.2.7', podIPs: [{ ip: '10.244.2.7' }] },
  };
}

test('expandVars follows Kubernetes $(VAR) rules', (t) => {
  const vars = { A: 'x', B_2: 'y' };
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['pre-$(A)-$(B_2)', 'pre-x-y'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$A', '$A'],
  ];
  for (const [input, want] of cases) t.is(expandVars(input, vars), want, input);
});

test('env: base variables, values with references, field refs, unsupported sources warned', (t) => {
  const p = pod({
    containers: [{
      name: 'web', image: 'busybox', command: ['sh', '-c', 'echo $(GREETING)'],
      env: [
        { name: 'NAME', value: 'world' },
        { name: 'GREETING', value: 'hello $(NAME)' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      envFrom: [{ configMapRef: { name: 'cm' } }],
      ports: [{ name: 'http', containerPort: 8080 }],
    }],
  });
  const { specs, warnings } = podLaunch(p, { netns: 'ambit-demo-shop-web-1', nodeIp: '172.18.0.2' });
  t.is(specs.length, 1);
  const s = specs[0]!;
  t.deepEqual(s.argv, ['sh', '-c', 'echo hello world']);
  t.deepEqual(s.env, {
    PATH: SYSTEM_PATH, HOME: '/root', HOSTNAME: 'web-1',
    NAME: 'world', GREETING: 'hello world', POD_NAME: 'web-1', POD_NS: 'shop', POD_IP: '10.244.2.7', HOST_IP: '172.18.0.2',
    NODE: 'node-2', SA: 'web-sa', APP: 'web', TEAM: 'blue',
  });
  t.deepEqual(s.ports, [{ name: 'http', containerPort: 8080 }]);
  t.is(s.netns, 'ambit-demo-shop-web-1');
  t.deepEqual([s.namespace, s.pod, s.container], ['shop', 'web-1', 'web']);
  t.is(warnings.length, 2);
  t.regex(warnings.join('\n'), /envFrom/);
  t.regex(warnings.join('\n'), /SECRET: valueFrom secretKeyRef/);
});

test('container env can override PATH; spec.hostname sets HOSTNAME; workingDir is kept', (t) => {
  const p = pod({ hostname: 'custom', containers: [{ name: 'c', image: 'busybox', command: ['true'], env: [{ name: 'PATH', value: '/opt/bin' }], workingDir: '/tmp' }] });
  const s = podLaunch(p, { netns: 'n' }).specs[0]!;
  t.is(s.env.PATH, '/opt/bin');
  t.is(s.env.HOSTNAME, 'custom');
  t.is(s.workingDir, '/tmp');
});

test('a multi-container pod gives one spec per container; an unmapped one fails the pod', (t) => {
  const ok = pod({ containers: [{ name: 'a', image: 'curlimages/curl', command: ['/bin/sleep', 'infinity'] }, { name: 'b', image: 'docker.io/kennethreitz/httpbin' }] });
  t.deepEqual(podLaunch(ok, { netns: 'n' }).specs.map((s) => [s.container, s.argv[0]]), [['a', '/bin/sleep'], ['b', 'gunicorn']]);
  const bad = pod({ containers: [{ name: 'a', image: 'curlimages/curl', command: ['sleep', '1'] }, { name: 'b', image: 'nginx:1.27' }] });
  const err = t.throws(() => podLaunch(bad, { netns: 'n' }));
  t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_IMAGE'));
  t.regex(err?.message ?? '', /pod shop\/web-1 container "b": image "nginx:1\.27"/);
  t.true(isAmbitError(t.throws(() => podLaunch(pod({ containers: [] }), { netns: 'n' })), 'AMBIT_ERR_LOCAL_IMAGE'));
});

test('the Istio sleep and httpbin samples, materialized, launch unchanged', (t) => {
  const objects = materialize(
    [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'httpbin' }, spec: { template: { metadata: { labels: { app: 'httpbin', version: 'v1' } }, spec: { serviceAccountName: 'httpbin', containers: [{ image: 'docker.io/mccutchen/go-httpbin:v2.15.0', imagePullPolicy: 'IfNotPresent', name: 'httpbin', ports: [{ containerPort: 8080 }] }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep' }, spec: { template: { metadata: { labels: { app: 'sleep' } }, spec: { terminationGracePeriodSeconds: 0, serviceAccountName: 'sleep', containers: [{ name: 'sleep', image: 'curlimages/curl', command: ['/bin/sleep', 'infinity'], imagePullPolicy: 'IfNotPresent' }] } } } },
    ],
    { nodes: ['node-1', 'node-2'] },
  );
  const pods = objects.filter((o) => o.kind === 'Pod');
  const argv = pods.map((p) => podLaunch(p, { netns: 'n' }).specs[0]!.argv.join(' ')).sort();
  t.deepEqual(argv, ['/bin/sleep infinity', 'gunicorn --bind 0.0.0.0:8080 --access-logfile - --workers 1 --threads 16 httpbin:app']);
});
