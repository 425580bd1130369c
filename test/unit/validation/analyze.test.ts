// analyzeObjects / analyzePaths: files on findings, unknown kinds, YAML errors and the
// cross-resource checks.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadedObject } from '../../../controller/config/load-yaml.js';
import { analyzeObjects, analyzePaths } from '../../../controller/validation/analyze.js';
import { authz, errors, obj, warnings } from './build.js';

function loaded(file: string, ...objects: ReturnType<typeof obj>[]): LoadedObject[] {
  return objects.map((object) => ({ object, file }));
}

test('findings carry the file they came from', (t) => {
  const findings = analyzeObjects(loaded('a.yaml', authz({ action: 'DENY' })));
  t.is(findings.length, 1);
  t.is(findings[0]?.file, 'a.yaml');
  t.is(findings[0]?.severity, 'error');
});

test('unknown kinds: one warning per kind, however many resources', (t) => {
  const cm = (n: string): ReturnType<typeof obj> => obj('v1', 'ConfigMap', n, 'default');
  const findings = analyzeObjects([...loaded('a.yaml', cm('one'), cm('two')), ...loaded('b.yaml', cm('three'), obj('networking.istio.io/v1', 'Sidecar', 's', 'default'))]);
  const w = findings.filter((f) => f.message.startsWith('unknown kind'));
  t.is(w.length, 2);
  t.true(w.every((f) => f.severity === 'warning' && f.message.includes('is ignored')));
  t.true(w[0]?.message.includes('(3 resources)') ?? false);
  t.is(w[0]?.file, 'a.yaml');
});

test('the same kind/namespace/name twice: an error on the later one only', (t) => {
  const a = authz({}, 'same');
  const b = authz({ rules: [{}] }, 'same');
  const findings = analyzeObjects([...loaded('a.yaml', a), ...loaded('b.yaml', b)]);
  t.deepEqual(findings.map((f) => [f.file, f.severity, f.path]), [['b.yaml', 'error', 'metadata.name']]);
  t.true(findings[0]?.message.includes('already defined in a.yaml') ?? false);
});

test('an identical duplicate is only a warning', (t) => {
  const findings = analyzeObjects([...loaded('a.yaml', authz({}, 'same')), ...loaded('b.yaml', authz({}, 'same'))]);
  t.deepEqual(findings.map((f) => [f.file, f.severity, f.path]), [['b.yaml', 'warning', 'metadata.name']]);
  t.true(findings[0]?.message.includes('identical content') ?? false);
});

test('same name in other namespaces, groups or kinds is not a duplicate', (t) => {
  const findings = analyzeObjects(loaded('a.yaml',
    authz({}, 'x', 'foo'),
    authz({}, 'x', 'bar'),
    obj('networking.istio.io/v1', 'Gateway', 'gw', 'foo', { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    obj('gateway.networking.k8s.io/v1', 'Gateway', 'gw', 'foo', { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }),
  ));
  t.deepEqual(errors(findings), []);
});

function telemetry(name: string, namespace: string, spec: unknown, created?: string): ReturnType<typeof obj> {
  const o = obj('telemetry.istio.io/v1', 'Telemetry', name, namespace, spec);
  if (created) o.metadata.creationTimestamp = created;
  return o;
}

test('one selector-less Telemetry per namespace (rule 100): the newer one is the error', (t) => {
  const spec = { accessLogging: [{ providers: [{ name: 'envoy' }] }] };
  const findings = analyzeObjects(loaded('t.yaml',
    telemetry('newer', 'default', spec, '2024-02-01T00:00:00Z'),
    telemetry('older', 'default', spec, '2024-01-01T00:00:00Z'),
    telemetry('other-ns', 'prod', spec),
  ));
  t.deepEqual(findings.map((f) => `${f.name} ${f.severity} ${f.path}`), ['default/newer error spec']);
});

test('one selector Telemetry per workload (rule 100)', (t) => {
  const sel = (labels: Record<string, string>): unknown => ({ selector: { matchLabels: labels }, tracing: [{ randomSamplingPercentage: 1 }] });
  const same = analyzeObjects(loaded('t.yaml', telemetry('a', 'default', sel({ app: 'r' })), telemetry('b', 'default', sel({ app: 'r' }))));
  t.deepEqual(errors(same), ['spec.selector: only one Telemetry with a selector may select a workload; default/a (t.yaml) also selects the same selector']);
  const pod = obj('v1', 'Pod', 'r-1', 'default', { containers: [{ name: 'c' }] }, { metadata: { name: 'r-1', namespace: 'default', labels: { app: 'r', version: 'v1' } } });
  const overlapping = analyzeObjects(loaded('t.yaml', telemetry('a', 'default', sel({ app: 'r' })), telemetry('b', 'default', sel({ version: 'v1' })), pod));
  t.is(errors(overlapping).length, 1);
  t.true(errors(overlapping)[0]?.includes('pod default/r-1') ?? false);
  const disjoint = analyzeObjects(loaded('t.yaml', telemetry('a', 'default', sel({ app: 'r' })), telemetry('b', 'default', sel({ app: 's' })), pod));
  t.deepEqual(errors(disjoint), []);
});

test('several PeerAuthentications at one scope: only the oldest applies (rule 36)', (t) => {
  const pa = (name: string, namespace: string, created: string, selector?: Record<string, string>): ReturnType<typeof obj> => {
    const o = obj('security.istio.io/v1', 'PeerAuthentication', name, namespace, { ...(selector ? { selector: { matchLabels: selector } } : {}), mtls: { mode: 'STRICT' } });
    o.metadata.creationTimestamp = created;
    return o;
  };
  const findings = analyzeObjects(loaded('p.yaml',
    pa('mesh-b', 'istio-system', '2024-02-01T00:00:00Z'),
    pa('mesh-a', 'istio-system', '2024-01-01T00:00:00Z'),
    pa('ns', 'foo', '2024-01-01T00:00:00Z'),
    pa('wl', 'foo', '2024-01-01T00:00:00Z', { app: 'x' }),
  ));
  t.deepEqual(errors(findings), []);
  t.deepEqual(warnings(findings).map((w) => w.split(';')[0]), ['spec: several mesh-level PeerAuthentications: only the oldest (istio-system/mesh-a (p.yaml)) takes effect']);
});

function vs(name: string, spec: unknown, namespace = 'default'): ReturnType<typeof obj> {
  return obj('networking.istio.io/v1', 'VirtualService', name, namespace, spec);
}
function dr(name: string, spec: unknown, namespace = 'default'): ReturnType<typeof obj> {
  return obj('networking.istio.io/v1', 'DestinationRule', name, namespace, spec);
}

test('a VirtualService subset no DestinationRule defines is reported (rule 72)', (t) => {
  const route = vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v9' }, weight: 50 }] }] });
  const rule = dr('reviews', { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
  const findings = analyzeObjects(loaded('r.yaml', route, rule));
  t.deepEqual(errors(findings), []);
  const w = warnings(findings);
  t.is(w.length, 1);
  t.true(w[0]?.startsWith('spec.http[0].route[1].destination.subset: subset "v9" is not defined') ?? false);
  const none = warnings(analyzeObjects(loaded('r.yaml', route)));
  t.is(none.length, 2, 'no DestinationRule at all: both subsets reported');
});

test('duplicate DestinationRule subsets across resources warn (rule 83)', (t) => {
  const a = dr('a', { host: 'reviews', subsets: [{ name: 'v1' }], trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } });
  const b = dr('b', { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'v1' }], trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } });
  const w = warnings(analyzeObjects(loaded('d.yaml', a, b)));
  t.deepEqual(w.map((x) => x.split(':')[0]), ['spec.subsets', 'spec.trafficPolicy']);
});

test('two mesh VirtualServices for one host warn; gateway-bound ones do not (rule 57)', (t) => {
  const spec = (gateways?: string[]): unknown => ({ hosts: ['reviews'], ...(gateways ? { gateways } : {}), http: [{ route: [{ destination: { host: 'reviews' } }] }] });
  t.is(warnings(analyzeObjects(loaded('v.yaml', vs('a', spec()), vs('b', spec())))).length, 1);
  t.is(warnings(analyzeObjects(loaded('v.yaml', vs('a', spec(['gw'])), vs('b', spec(['gw']))))).length, 0);
});

test('analyzePaths reports YAML errors, unreadable paths, and keeps going', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ambit-analyze-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'good.yaml');
  const broken = path.join(dir, 'broken.yaml');
  await writeFile(good, 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: deny\n  namespace: foo\nspec:\n  action: DENY\n');
  await writeFile(broken, 'kind: [unclosed\n');
  const missing = path.join(dir, 'missing.yaml');
  const findings = await analyzePaths([dir, missing]);
  t.true(findings.some((f) => f.file === broken && f.kind === 'YAML' && f.severity === 'error'));
  t.true(findings.some((f) => f.file === missing && f.message.startsWith('cannot read')));
  t.true(findings.some((f) => f.file === good && f.message.startsWith('DENY action without `rules`')));
});
