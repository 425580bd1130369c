// PeerAuthentication → policy keys and converted DENY policies (istio-semantics §2,
// istiod convertedSelectorPeerAuthentications / convertPeerAuthentication). Each case
// checks the keys one workload references, the converted policy of its workload-level
// PeerAuthentication, and what the referenced policies then let through.
import test from 'ava';
import type { Authorization, AuthzRule } from '../../../api/model.js';
import { policyKey } from '../../../api/model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import {
  CONVERTED_PA_PREFIX, STATIC_STRICT_POLICY, convertPeerAuthentication, peerAuthnPolicyKeys, selectLevels, staticStrictPolicy,
} from '../../../controller/translate/peer-authentication.js';
import { match, peerAuthentication, sm } from './builders.js';
import type { Conn } from './rbac-eval.js';
import { isAllowed } from './rbac-eval.js';

const ROOT = 'istio-system';
const NS = 'app';
const LABELS = { app: 'web' };
const STATIC = `${ROOT}/${STATIC_STRICT_POLICY}`;
const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-02-01T00:00:00Z';

const mode = (m: string | undefined): Record<string, unknown> => (m === undefined ? {} : { mtls: { mode: m } });
const mesh = (m: string | undefined, name = 'mesh', created = T1): KubeObject => peerAuthentication(name, ROOT, mode(m), created);
const nsPolicy = (m: string | undefined, name = 'ns', created = T1, ns = NS): KubeObject => peerAuthentication(name, ns, mode(m), created);
const workload = (m: string | undefined, ports: Record<string, string> = {}, name = 'wl', created = T1, opts: { ns?: string; labels?: Record<string, string> } = {}): KubeObject =>
  peerAuthentication(name, opts.ns ?? NS, {
    selector: { matchLabels: opts.labels ?? LABELS },
    ...mode(m),
    ...(Object.keys(ports).length > 0 ? { portLevelMtls: Object.fromEntries(Object.entries(ports).map(([p, pm]) => [p, { mode: pm }])) } : {}),
  }, created);
const converted = (name = 'wl'): string => `${NS}/${CONVERTED_PA_PREFIX}${name}`;

const plain = (port: number): Conn => ({ sourceIp: '10.9.9.9', destinationIp: '10.0.0.10', destinationPort: port });
const mtls = (port: number): Conn => ({ principal: 'cluster.local/ns/x/sa/y', sourceIp: '10.9.9.9', destinationIp: '10.0.0.10', destinationPort: port });

const noPrincipal = match({ notPrincipals: [sm.presence()] });

/** [label, connection, allowed?] */
type Check = [string, Conn, boolean];
const strictChecks: Check[] = [['plaintext denied', plain(8080), false], ['mTLS allowed', mtls(8080), true]];
const permissiveChecks: Check[] = [['plaintext allowed', plain(8080), true], ['mTLS allowed', mtls(8080), true]];

interface Case {
  name: string;
  policies: KubeObject[];
  labels?: Record<string, string>;
  /** The workload's namespace (default NS). */
  podNs?: string;
  keys: string[];
  /** Rules of the converted policy named by `converted()` (undefined: no converted policy for it). */
  convertedRules?: AuthzRule[];
  checks: Check[];
}

const cases: Case[] = [
  { name: 'no PeerAuthentication: no keys, PERMISSIVE', policies: [], keys: [], checks: permissiveChecks },
  { name: 'mesh STRICT: static policy', policies: [mesh('STRICT')], keys: [STATIC], checks: strictChecks },
  { name: 'mesh PERMISSIVE: no keys', policies: [mesh('PERMISSIVE')], keys: [], checks: permissiveChecks },
  { name: 'mesh UNSET: no keys', policies: [mesh(undefined)], keys: [], checks: permissiveChecks },
  { name: 'namespace PERMISSIVE overrides mesh STRICT', policies: [mesh('STRICT'), nsPolicy('PERMISSIVE')], keys: [], checks: permissiveChecks },
  { name: 'namespace without mtls inherits mesh STRICT', policies: [mesh('STRICT'), nsPolicy(undefined)], keys: [STATIC], checks: strictChecks },
  { name: 'namespace mode UNSET inherits mesh STRICT', policies: [mesh('STRICT'), nsPolicy('UNSET')], keys: [STATIC], checks: strictChecks },
  { name: 'namespace STRICT without mesh policy', policies: [nsPolicy('STRICT')], keys: [STATIC], checks: strictChecks },
  { name: 'namespace STRICT of another namespace does not apply', policies: [nsPolicy('STRICT', 'ns', T1, 'other')], keys: [], checks: permissiveChecks },
  { name: 'namespace DISABLE acts as PERMISSIVE under mesh STRICT', policies: [mesh('STRICT'), nsPolicy('DISABLE')], keys: [], checks: permissiveChecks },
  { name: 'workload STRICT under namespace PERMISSIVE', policies: [nsPolicy('PERMISSIVE'), workload('STRICT')], keys: [STATIC], checks: strictChecks },
  { name: 'workload PERMISSIVE under namespace STRICT', policies: [nsPolicy('STRICT'), workload('PERMISSIVE')], keys: [], checks: permissiveChecks },
  { name: 'workload DISABLE acts as PERMISSIVE under mesh STRICT', policies: [mesh('STRICT'), workload('DISABLE')], keys: [], checks: permissiveChecks },
  { name: 'workload UNSET inherits namespace STRICT', policies: [nsPolicy('STRICT'), workload(undefined)], keys: [STATIC], checks: strictChecks },
  { name: 'workload policy whose selector misses the pod does not apply', policies: [nsPolicy('STRICT'), workload('PERMISSIVE', {}, 'wl', T1, { labels: { app: 'db' } })], keys: [STATIC], checks: strictChecks },
  { name: 'workload policy of another namespace does not apply', policies: [nsPolicy('STRICT'), workload('PERMISSIVE', {}, 'wl', T1, { ns: 'other' })], keys: [STATIC], checks: strictChecks },
  { name: 'root-namespace selector policy is ignored (rule 34)', policies: [workload('STRICT', {}, 'wl', T1, { ns: ROOT })], keys: [], checks: permissiveChecks },
  { name: 'root-namespace selector policy is ignored for a root-namespace workload too', podNs: ROOT, policies: [workload('STRICT', {}, 'wl', T1, { ns: ROOT })], keys: [], checks: permissiveChecks },
  { name: 'root-namespace selector PERMISSIVE does not relax mesh STRICT', policies: [mesh('STRICT'), workload('PERMISSIVE', {}, 'wl', T1, { ns: ROOT })], keys: [STATIC], checks: strictChecks },
  { name: 'oldest mesh policy wins (older PERMISSIVE)', policies: [mesh('STRICT', 'b', T2), mesh('PERMISSIVE', 'a-newer-name', T1)], keys: [], checks: permissiveChecks },
  { name: 'oldest mesh policy wins (older STRICT)', policies: [mesh('PERMISSIVE', 'a', T2), mesh('STRICT', 'z', T1)], keys: [STATIC], checks: strictChecks },
  { name: 'oldest namespace policy wins', policies: [nsPolicy('PERMISSIVE', 'a', T2), nsPolicy('STRICT', 'b', T1)], keys: [STATIC], checks: strictChecks },
  { name: 'oldest workload policy wins', policies: [workload('PERMISSIVE', {}, 'a', T2), workload('STRICT', {}, 'b', T1)], keys: [STATIC], checks: strictChecks },

  // ---- portLevelMtls (rules 35, 37) ----
  {
    name: 'STRICT workload with a PERMISSIVE port: converted policy, no static key',
    policies: [workload('STRICT', { 8080: 'PERMISSIVE' })],
    keys: [converted()],
    convertedRules: [{ clauses: [{ matches: [noPrincipal] }, { matches: [match({ notDestinationPorts: [8080] })] }] }],
    checks: [['plaintext on the exempt port', plain(8080), true], ['plaintext elsewhere', plain(9090), false], ['mTLS elsewhere', mtls(9090), true]],
  },
  {
    name: 'STRICT workload with PERMISSIVE and DISABLE ports: both exempt',
    policies: [workload('STRICT', { 8080: 'PERMISSIVE', 8081: 'DISABLE' })],
    keys: [converted()],
    checks: [['plaintext 8080', plain(8080), true], ['plaintext 8081', plain(8081), true], ['plaintext 9090', plain(9090), false]],
  },
  {
    name: 'PERMISSIVE workload with a STRICT port: deny without principal on that port',
    policies: [nsPolicy('STRICT'), workload('PERMISSIVE', { 9090: 'STRICT' })],
    keys: [converted()],
    convertedRules: [{ clauses: [{ matches: [match({ notPrincipals: [sm.presence()], destinationPorts: [9090] })] }] }],
    checks: [['plaintext on the strict port', plain(9090), false], ['plaintext elsewhere', plain(8080), true], ['mTLS on the strict port', mtls(9090), true]],
  },
  {
    name: 'PERMISSIVE workload with two STRICT ports: each denied (rules ORed)',
    policies: [workload('PERMISSIVE', { 9090: 'STRICT', 9091: 'STRICT' })],
    keys: [converted()],
    checks: [['plaintext 9090', plain(9090), false], ['plaintext 9091', plain(9091), false], ['plaintext 8080', plain(8080), true]],
  },
  {
    name: 'DISABLE workload with a STRICT port behaves as PERMISSIVE',
    policies: [workload('DISABLE', { 9090: 'STRICT' })],
    keys: [converted()],
    checks: [['plaintext 9090', plain(9090), false], ['plaintext 8080', plain(8080), true]],
  },
  {
    name: 'UNSET workload under namespace STRICT with a PERMISSIVE port: merged converted policy, no static key',
    policies: [nsPolicy('STRICT'), workload(undefined, { 8080: 'PERMISSIVE' })],
    keys: [converted()],
    convertedRules: [{ clauses: [{ matches: [noPrincipal] }, { matches: [match({ notDestinationPorts: [8080] })] }] }],
    checks: [['plaintext on the exempt port', plain(8080), true], ['plaintext elsewhere', plain(9090), false]],
  },
  {
    name: 'UNSET workload under mesh STRICT with a DISABLE port: merged converted policy',
    policies: [mesh('STRICT'), workload(undefined, { 8080: 'DISABLE' })],
    keys: [converted()],
    checks: [['plaintext on the exempt port', plain(8080), true], ['plaintext elsewhere', plain(9090), false]],
  },
  {
    name: 'UNSET workload under PERMISSIVE parent with a STRICT port',
    policies: [mesh('PERMISSIVE'), workload(undefined, { 9090: 'STRICT' })],
    keys: [converted()],
    checks: [['plaintext on the strict port', plain(9090), false], ['plaintext elsewhere', plain(8080), true]],
  },
  {
    name: 'UNSET workload with a STRICT port under namespace STRICT: static only',
    policies: [nsPolicy('STRICT'), workload(undefined, { 9090: 'STRICT' })],
    keys: [STATIC],
    convertedRules: undefined,
    checks: strictChecks,
  },
  {
    name: 'STRICT workload whose ports are all STRICT: static only',
    policies: [workload('STRICT', { 9090: 'STRICT' })],
    keys: [STATIC],
    convertedRules: undefined,
    checks: strictChecks,
  },
  {
    name: 'PERMISSIVE workload whose ports are PERMISSIVE: nothing',
    policies: [nsPolicy('STRICT'), workload('PERMISSIVE', { 9090: 'PERMISSIVE' })],
    keys: [],
    convertedRules: undefined,
    checks: permissiveChecks,
  },
  {
    name: 'namespace PERMISSIVE overrides mesh STRICT for a port exception',
    policies: [mesh('STRICT'), nsPolicy('PERMISSIVE'), workload(undefined, { 8080: 'PERMISSIVE' })],
    keys: [],
    convertedRules: undefined,
    checks: [['plaintext 9090', plain(9090), true]],
  },
];

/** Every converted policy the model would hold, by key (as buildModel computes them). */
function available(policies: readonly KubeObject[]): Map<string, Authorization> {
  const out = new Map<string, Authorization>([[STATIC, staticStrictPolicy(ROOT)]]);
  for (const pa of policies) {
    const parents = selectLevels(policies, ROOT, pa.metadata.namespace ?? '', {});
    const c = convertPeerAuthentication(pa, { mesh: parents.mesh, namespace: parents.namespace }, ROOT);
    if (c) out.set(policyKey(c), c);
  }
  return out;
}

test('peer-authentication table has at least 15 cases', (t) => {
  t.true(cases.length >= 15, `${cases.length} cases`);
});

for (const c of cases) {
  test(`peerauthn: ${c.name}`, (t) => {
    const keys = peerAuthnPolicyKeys(selectLevels(c.policies, ROOT, c.podNs ?? NS, c.labels ?? LABELS), ROOT);
    t.deepEqual(keys, c.keys);

    const all = available(c.policies);
    if ('convertedRules' in c) {
      const conv = all.get(converted());
      if (c.convertedRules === undefined) t.is(conv, undefined, 'no converted policy expected');
      else {
        t.truthy(conv);
        t.like(conv, { name: `${CONVERTED_PA_PREFIX}wl`, namespace: NS, scope: 'WORKLOAD_SELECTOR', action: 'DENY', dryRun: false });
        t.deepEqual(conv?.rules, c.convertedRules);
      }
    }

    const referenced: Authorization[] = [];
    for (const k of keys) {
      const p = all.get(k);
      if (!p) return t.fail(`key ${k} names no converted policy`);
      referenced.push(p);
    }
    for (const [label, conn, allowed] of c.checks) t.is(isAllowed(referenced, conn), allowed, label);
  });
}

test('static STRICT policy: DENY connections without a principal', (t) => {
  t.deepEqual(staticStrictPolicy(ROOT), {
    name: STATIC_STRICT_POLICY, namespace: ROOT, scope: 'WORKLOAD_SELECTOR', action: 'DENY',
    rules: [{ clauses: [{ matches: [noPrincipal] }] }], dryRun: false,
  });
});

const notConverted: { name: string; pa: KubeObject }[] = [
  { name: 'root namespace', pa: workload('PERMISSIVE', { 9090: 'STRICT' }, 'wl', T1, { ns: ROOT }) },
  { name: 'no selector', pa: peerAuthentication('ns', NS, { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 9090: { mode: 'STRICT' } } }) },
  { name: 'no portLevelMtls', pa: workload('STRICT') },
];
for (const c of notConverted) {
  test(`convertPeerAuthentication: none for ${c.name}`, (t) => {
    t.is(convertPeerAuthentication(c.pa, {}, ROOT), undefined);
  });
}
