// AuthorizationPolicy rules beyond the corpus: warnings (TCP DENY, L7 at the node proxy),
// the allow-nothing / allow-all forms, and combinations.
import test from 'ava';
import { validateResource } from '../../../controller/validation/validate.js';
import { authz, errors, warnings } from './build.js';

const TCP_WARNING = 'will deny all traffic to TCP ports';

test('allow-nothing and allow-all are valid without findings', (t) => {
  t.deepEqual(validateResource(authz({})), []);
  t.deepEqual(validateResource(authz(undefined)), []);
  t.deepEqual(validateResource(authz({ rules: [{}] })), []);
});

test('DENY or CUSTOM with `rules: []` is as meaningless as without rules', (t) => {
  t.deepEqual(errors(validateResource(authz({ action: 'DENY', rules: [] }))).map((e) => e.split(':')[0]), ['spec']);
  t.deepEqual(errors(validateResource(authz({ action: 'ALLOW', rules: [] }))), [], 'ALLOW with no rules is allow-nothing');
});

test('a DENY rule with only HTTP attributes is a warning, not an error (rule 12)', (t) => {
  const table: [string, unknown, boolean][] = [
    ['methods only', { to: [{ operation: { methods: ['GET'] } }] }, true],
    ['methods + ports', { to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }, false],
    ['requestPrincipals only', { from: [{ source: { notRequestPrincipals: ['*'] } }] }, true],
    ['principals only', { from: [{ source: { notPrincipals: ['*'] } }] }, false],
    ['principals + methods', { from: [{ source: { principals: ['a/ns/b/sa/c'] } }], to: [{ operation: { methods: ['GET'] } }] }, true],
    ['header condition only', { when: [{ key: 'request.headers[x-token]', values: ['bad'] }] }, true],
    ['L4 condition only', { when: [{ key: 'destination.port', values: ['8080'] }] }, false],
    ['empty rule', {}, false],
  ];
  for (const [name, rule, warn] of table) {
    const findings = validateResource(authz({ action: 'DENY', rules: [rule] }));
    t.deepEqual(errors(findings), [], name);
    t.is(warnings(findings).some((w) => w.startsWith('spec.rules[0]: ') && w.includes(TCP_WARNING)), warn, name);
  }
});

test('the TCP warning is only for DENY', (t) => {
  const findings = validateResource(authz({ action: 'AUDIT', targetRefs: [{ kind: 'Service', group: '', name: 'httpbin' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }));
  t.false(warnings(findings).some((w) => w.includes(TCP_WARNING)));
});

test('an ALLOW selector policy with HTTP fields warns that the node proxy drops the rule (rule 28)', (t) => {
  const rule = { to: [{ operation: { paths: ['/ip'] } }] };
  t.true(warnings(validateResource(authz({ rules: [rule] }))).some((w) => w.includes('drops such rules')));
  const onWaypoint = authz({ targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }], rules: [rule] });
  t.deepEqual(warnings(validateResource(onWaypoint)), []);
});

test('CUSTOM and AUDIT without targetRefs warn that the node proxy ignores them (rule 29)', (t) => {
  const custom = authz({ action: 'CUSTOM', provider: { name: 'ext' }, rules: [{}] });
  t.deepEqual(errors(validateResource(custom)), []);
  t.true(warnings(validateResource(custom)).some((w) => w.includes('does not support the CUSTOM action')));
});

test('every empty-string list entry is reported at its own index', (t) => {
  const findings = validateResource(authz({ rules: [{ to: [{ operation: { hosts: ['', 'a', ''], methods: ['GET'] } }] }] }));
  t.deepEqual(errors(findings), [
    'spec.rules[0].to[0].operation.hosts[0]: empty value not allowed',
    'spec.rules[0].to[0].operation.hosts[2]: empty value not allowed',
  ]);
});

test('several problems in one policy are all reported', (t) => {
  const findings = validateResource(authz({
    action: 'DENY',
    selector: { matchLabels: { app: 'x' } },
    targetRef: { kind: 'Service', name: 'x' },
    rules: [{ from: [], to: [{ operation: { ports: ['abc'] } }], when: [{ key: 'foo', values: ['1'] }] }],
  }));
  const got = errors(findings);
  t.true(got.some((e) => e.startsWith('spec.targetRef: only one of selector')));
  t.true(got.some((e) => e.startsWith('spec.rules[0].from: `from` must not be empty')));
  t.true(got.some((e) => e.startsWith('spec.rules[0].to[0].operation.ports[0]: bad port')));
  t.true(got.some((e) => e.startsWith('spec.rules[0].when[0].key: unknown attribute: foo')));
});

test('value form warnings: spiffe:// principals, infix wildcards, lower-case methods', (t) => {
  const findings = validateResource(authz({
    rules: [{
      from: [{ source: { principals: ['spiffe://cluster.local/ns/a/sa/b'], namespaces: ['a*b'] } }],
      to: [{ operation: { methods: ['get'], ports: ['80'] } }],
    }],
  }));
  t.deepEqual(errors(findings), []);
  const w = warnings(findings);
  t.true(w.some((x) => x.startsWith('spec.rules[0].from[0].source.principals[0]:') && x.includes('spiffe://')));
  t.true(w.some((x) => x.startsWith('spec.rules[0].from[0].source.namespaces[0]:') && x.includes('ztunnel')));
  t.true(w.some((x) => x.startsWith('spec.rules[0].to[0].operation.methods[0]:') && x.includes('upper case')));
});

test('when keys: supported forms pass, quoted claim names warn', (t) => {
  const keys = ['request.headers[x-a]', 'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain',
    'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'request.auth.claims[groups]', 'request.auth.claims[a][b]',
    'destination.ip', 'destination.port', 'connection.sni', 'experimental.envoy.filters.network.mysql_proxy[db.table]'];
  for (const key of keys) {
    const value = key.endsWith('.ip') ? '10.0.0.0/8' : key === 'destination.port' ? '8080' : 'x';
    t.deepEqual(errors(validateResource(authz({ rules: [{ when: [{ key, values: [value] }] }] }))), [], key);
  }
  const quoted = validateResource(authz({ rules: [{ when: [{ key: 'request.auth.claims["groups"]', values: ['g'] }] }] }));
  t.true(warnings(quoted).some((w) => w.includes('do not quote')));
});

test('a GatewayClass target outside the root namespace warns', (t) => {
  const p = authz({ targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }], rules: [{}] });
  t.true(warnings(validateResource(p)).some((w) => w.includes('root namespace')));
  const inRoot = authz({ targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }], rules: [{}] }, 'p', 'istio-system');
  t.deepEqual(validateResource(inRoot), []);
  t.deepEqual(validateResource(p, { rootNamespace: 'foo' }), [], 'root namespace is configurable');
});
