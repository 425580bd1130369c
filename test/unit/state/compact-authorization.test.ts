// Compacted policies: same content, same compiled form, empty lists shared.
import test from 'ava';
import type { Authorization, ModelResource } from '../../../api/model.js';
import { emptyMatch } from '../../../api/model.js';
import { compactAuthorization } from '../../../daemon/state/compact-authorization.js';
import { compilePolicy } from '../../../daemon/rbac/compiled-policy.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';

function policy(name: string): Authorization {
  return {
    name, namespace: 'default', scope: 'NAMESPACE', action: 'ALLOW', dryRun: false,
    rules: [
      { clauses: [
        { matches: [{ ...emptyMatch(), principals: [{ exact: 'cluster.local/ns/a/sa/b', matchType: 'exact' }] }, { ...emptyMatch(), namespaces: [{ prefix: 'team-', matchType: 'prefix' }] }] },
        { matches: [{ ...emptyMatch(), destinationPorts: [8080], notSourceIps: [{ address: '10.0.0.0', length: 8 }] }] },
      ] },
      { clauses: [] },
    ],
  };
}

test('a compacted policy has the same content and compiles to the same policy', (t) => {
  const original = policy('p');
  const compact = compactAuthorization(original);
  t.deepEqual(compact, original);
  t.deepEqual(compilePolicy(compact), compilePolicy(original));
});

test('empty lists are one shared frozen array; lists with values are kept as they are', (t) => {
  const a = compactAuthorization(policy('a'));
  const b = compactAuthorization(policy('b'));
  const ma = a.rules[0]!.clauses[0]!.matches[0]!;
  const mb = b.rules[0]!.clauses[1]!.matches[0]!;
  t.is(ma.namespaces, mb.principals);
  t.is(ma.notServiceAccounts, mb.serviceAccounts);
  t.true(Object.isFrozen(ma.namespaces));
  t.is(ma.principals.length, 1);
  t.deepEqual(mb.destinationPorts, [8080]);
});

test('the state keeps the compacted form of the policies it receives', (t) => {
  const state = new ProxyState();
  const r: ModelResource = { kind: 'AUTHORIZATION', name: 'default/p', value: policy('p') };
  new ProxyStateUpdater(state).apply({ full: true, version: '1', upserts: [r], removals: [] });
  const kept = state.policiesByKey.get('default/p');
  t.deepEqual(kept, r.value);
  t.true(Object.isFrozen(kept!.rules[0]!.clauses[0]!.matches[0]!.notPrincipals));
});
