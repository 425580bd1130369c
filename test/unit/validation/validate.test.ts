// validateResource: dispatch on kind + API group, versions, metadata, and robustness.
import test from 'ava';
import { isKnownKind, KNOWN_KINDS, validateResource } from '../../../controller/validation/validate.js';
import { authz, errors, obj, warnings } from './build.js';

test('KNOWN_KINDS lists every kind Ambit reads', (t) => {
  const names = KNOWN_KINDS.map((k) => `${k.group}/${k.kind}`).sort();
  t.deepEqual(names, [
    '/Namespace', '/Pod', '/Service', '/ServiceAccount',
    'apps/Deployment', 'discovery.k8s.io/EndpointSlice',
    'gateway.networking.k8s.io/Gateway', 'gateway.networking.k8s.io/GatewayClass', 'gateway.networking.k8s.io/HTTPRoute',
    'networking.istio.io/DestinationRule', 'networking.istio.io/Gateway', 'networking.istio.io/ServiceEntry', 'networking.istio.io/VirtualService',
    'security.istio.io/AuthorizationPolicy', 'security.istio.io/PeerAuthentication', 'security.istio.io/RequestAuthentication',
    'telemetry.istio.io/Telemetry',
  ].sort());
});

test('isKnownKind dispatches on kind and group, not on kind alone', (t) => {
  const table: [string, string, boolean][] = [
    ['v1', 'Pod', true],
    ['apps/v1', 'Deployment', true],
    ['extensions/v1beta1', 'Deployment', false],
    ['networking.istio.io/v1alpha3', 'Gateway', true],
    ['gateway.networking.k8s.io/v1', 'Gateway', true],
    ['example.com/v1', 'Gateway', false],
    ['networking.istio.io/v1', 'Sidecar', false],
    ['security.istio.io/v1alpha1', 'AuthorizationPolicy', true], // known kind, unsupported version
    ['v1', 'ConfigMap', false],
  ];
  for (const [apiVersion, kind, want] of table) t.is(isKnownKind({ apiVersion, kind }), want, `${apiVersion} ${kind}`);
});

test('the two Gateway kinds get their own rules', (t) => {
  const istio = obj('networking.istio.io/v1beta1', 'Gateway', 'gw', 'default', { servers: [] });
  t.deepEqual(errors(validateResource(istio)), ['spec.servers: gateway must have at least one server']);
  const k8s = obj('gateway.networking.k8s.io/v1', 'Gateway', 'gw', 'default', { gatewayClassName: 'istio', listeners: [] });
  t.deepEqual(errors(validateResource(k8s)), ['spec.listeners: at least one listener is required']);
});

test('unknown kinds yield no findings', (t) => {
  t.deepEqual(validateResource(obj('v1', 'ConfigMap', 'Not_A_Name', 'default', 42)), []);
});

test('accepted API versions per group', (t) => {
  const table: [string, string, boolean][] = [
    ['networking.istio.io/v1', 'VirtualService', true],
    ['networking.istio.io/v1beta1', 'VirtualService', true],
    ['networking.istio.io/v1alpha3', 'VirtualService', true],
    ['networking.istio.io/v2', 'VirtualService', false],
    ['security.istio.io/v1beta1', 'PeerAuthentication', true],
    ['security.istio.io/v1alpha3', 'PeerAuthentication', false],
    ['telemetry.istio.io/v1alpha1', 'Telemetry', true],
    ['gateway.networking.k8s.io/v1beta1', 'HTTPRoute', true],
    ['v2', 'Pod', false],
  ];
  for (const [apiVersion, kind, ok] of table) {
    const findings = validateResource(obj(apiVersion, kind, 'x', 'default', {}));
    t.is(findings.some((f) => f.path === 'apiVersion'), !ok, `${apiVersion} ${kind}`);
  }
});

test('metadata: names, namespaces, labels and annotations', (t) => {
  const table: [ReturnType<typeof obj>, string][] = [
    [obj('v1', 'Namespace', 'a.b', undefined), 'metadata.name: invalid name'],
    [obj('v1', 'ServiceAccount', 'a.b', 'default'), ''],
    [obj('v1', 'ServiceAccount', 'sa', 'Bad_NS'), 'metadata.namespace: invalid namespace'],
    [obj('v1', 'ServiceAccount', 'sa', 'default', undefined, { metadata: { name: 'sa', namespace: 'default', labels: { 'bad key!': 'x' } } }), 'metadata.labels[bad key!]: invalid label key'],
    [obj('v1', 'ServiceAccount', 'sa', 'default', undefined, { metadata: { name: 'sa', namespace: 'default', labels: ['a'] } }), 'metadata.labels: must be a mapping'],
    [obj('v1', 'ServiceAccount', 'sa', 'default', undefined, { metadata: { name: 'sa', namespace: 'default', annotations: { a: 1 } } }), 'metadata.annotations[a]: must be a string'],
  ];
  for (const [o, want] of table) {
    const got = errors(validateResource(o));
    if (want === '') t.deepEqual(got, [], o.metadata.name);
    else t.true(got.some((e) => e.startsWith(want)), `${want}: ${got.join('; ')}`);
  }
});

test('cluster-scoped kinds warn about a namespace; Istio label values are checked', (t) => {
  const ns = obj('v1', 'Namespace', 'foo', 'default', undefined, { metadata: { name: 'foo', namespace: 'default', labels: { 'istio.io/dataplane-mode': 'Ambient' } } });
  const w = warnings(validateResource(ns));
  t.true(w.some((x) => x.startsWith('metadata.namespace: Namespace is cluster-scoped')));
  t.true(w.some((x) => x.startsWith('metadata.labels[istio.io/dataplane-mode]: label istio.io/dataplane-mode should be one of ambient, none')));
});

test('istio.io/dry-run is only for AuthorizationPolicy', (t) => {
  const pa = obj('security.istio.io/v1', 'PeerAuthentication', 'p', 'foo', {}, { metadata: { name: 'p', namespace: 'foo', annotations: { 'istio.io/dry-run': 'true' } } });
  t.deepEqual(errors(validateResource(pa)), ['metadata.annotations[istio.io/dry-run]: PeerAuthentication has unsupported annotation istio.io/dry-run, please remove the annotation']);
  const ap = authz({ action: 'DENY', rules: [{}] });
  ap.metadata.annotations = { 'istio.io/dry-run': 'false' };
  t.deepEqual(errors(validateResource(ap)), []);
});

test('validators never throw on garbage and report type errors instead', (t) => {
  const shapes: unknown[] = ['text', 42, [], [1, 2], null, { rules: 'x' }, { rules: [null, 3, 'a'] }, { hosts: [1], http: [null] }, { servers: [{ port: 'x', hosts: 'y', tls: [] }] }];
  for (const kind of KNOWN_KINDS) {
    for (const spec of shapes) {
      const o = obj(`${kind.group === '' ? '' : `${kind.group}/`}${kind.versions[0] ?? 'v1'}`, kind.kind, 'x', 'default', spec, kind.kind === 'EndpointSlice' ? { endpoints: spec, ports: spec } : {});
      const findings = validateResource(o);
      t.false(findings.some((f) => f.message.startsWith('internal validation error')), `${kind.kind} ${JSON.stringify(spec)}: ${findings.map((f) => f.message).join('; ')}`);
    }
  }
});

test('missing or broken metadata does not throw', (t) => {
  const broken = { apiVersion: 'v1', kind: 'Pod', metadata: 'nope' } as unknown as ReturnType<typeof obj>;
  t.deepEqual(errors(validateResource(broken)), ['metadata: required mapping']);
});

test('unknown fields are warnings, never errors', (t) => {
  const pa = obj('security.istio.io/v1', 'PeerAuthentication', 'p', 'foo', { mtls: { mode: 'STRICT' }, mtsl: {} });
  const findings = validateResource(pa);
  t.deepEqual(errors(findings), []);
  t.deepEqual(warnings(findings), ['spec.mtsl: unknown field; it is ignored']);
});
