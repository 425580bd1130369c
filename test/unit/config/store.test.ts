// ConfigStore: validation on the way in; a bad resource never removes or changes a good one.
import test from 'ava';
import { ConfigStore } from '../../../controller/config/store.js';
import { KINDS } from '../../../controller/config/kinds.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { isKnownKind, validateResource } from '../../../controller/validation/validate.js';
import { captureLogger } from '../../support/capture-logger.js';

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'default' }, spec };
}

const good = policy('allow-sleep', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }] }] });
const goodChanged = policy('allow-sleep', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/other'] } }] }] });
const badVersion = policy('allow-sleep', { action: 'DENY' }); // DENY without rules is invalid
const otherGood = policy('deny-legacy', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] });

function makeStore(): { store: ConfigStore; changes: () => number; lines: Record<string, unknown>[]; rejected: string[] } {
  let changes = 0;
  const rejected: string[] = [];
  const { log, lines } = captureLogger();
  const store = new ConfigStore({
    validate: validateResource, isKnownKind, onChange: () => changes++, onRejected: (o) => rejected.push(o.metadata.name),
  }, log);
  return { store, changes: () => changes, lines, rejected };
}

test('a valid resource is stored and announced once', (t) => {
  const { store, changes } = makeStore();
  store.apply([{ type: 'upsert', object: good }], 'test');
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'allow-sleep'), good);
  t.is(changes(), 1);
  store.apply([{ type: 'upsert', object: { ...good } }], 'test');
  t.is(changes(), 1, 'same content is no change');
});

test('an invalid update keeps the previous valid version and does not touch other resources', (t) => {
  const { store, changes, rejected, lines } = makeStore();
  store.apply([{ type: 'upsert', object: good }, { type: 'upsert', object: otherGood }], 'test');
  const before = changes();
  store.apply([{ type: 'upsert', object: badVersion }], 'test');
  t.is(changes(), before, 'no rebuild for a rejected resource');
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'allow-sleep'), good);
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'deny-legacy'), otherGood);
  t.deepEqual(rejected, ['allow-sleep']);
  const findings = store.rejectedFindings();
  t.is(findings.length, 1);
  t.is(findings[0]?.kind, 'AuthorizationPolicy');
  t.is(findings[0]?.name, 'default/allow-sleep');
  t.regex(findings[0]?.path ?? '', /^spec/);
  t.true(lines.some((l) => l.code === 'AMBIT_ERR_INVALID_RESOURCE' && l.name === 'default/allow-sleep'));
});

test('fixing a rejected resource clears the rejection and applies the fix', (t) => {
  const { store } = makeStore();
  store.apply([{ type: 'upsert', object: good }, { type: 'upsert', object: badVersion }], 'test');
  store.apply([{ type: 'upsert', object: goodChanged }], 'test');
  t.deepEqual(store.rejectedFindings(), []);
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'allow-sleep'), goodChanged);
});

test('a delete removes the resource and its rejection', (t) => {
  const { store } = makeStore();
  store.apply([{ type: 'upsert', object: good }, { type: 'upsert', object: badVersion }], 'test');
  store.apply([{ type: 'delete', object: good }], 'test');
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'allow-sleep'), undefined);
  t.deepEqual(store.rejectedFindings(), []);
});

test('unknown kinds are ignored with one warning per kind', (t) => {
  const { store, changes, lines } = makeStore();
  const widget = (name: string): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' } });
  store.apply([{ type: 'upsert', object: widget('a') }, { type: 'upsert', object: widget('b') }], 'test');
  t.is(changes(), 0);
  t.is(lines.filter((l) => l.code === 'AMBIT_ERR_UNKNOWN_KIND').length, 1);
});

test('replace removes only what the same origin contributed', (t) => {
  const { store } = makeStore();
  store.replace([good], 'file:a.yaml');
  store.replace([otherGood], 'file:b.yaml');
  store.replace([], 'file:a.yaml');
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'allow-sleep'), undefined);
  t.is(store.get(KINDS.authorizationPolicy, 'default', 'deny-legacy'), otherGood);
});

test('list() is stable between changes and fresh after one', (t) => {
  const { store } = makeStore();
  store.replace([good], 'x');
  const first = store.list(KINDS.authorizationPolicy);
  t.is(store.list(KINDS.authorizationPolicy), first);
  store.replace([good, otherGood], 'x');
  t.is(store.list(KINDS.authorizationPolicy).length, 2);
});

test('re-applying the valid content after a rejected version clears the rejection', (t) => {
  const { store, changes } = makeStore();
  store.apply([{ type: 'upsert', object: good }], 'test');
  store.apply([{ type: 'upsert', object: badVersion }], 'test');
  t.is(store.rejectedFindings().length, 1);
  store.apply([{ type: 'upsert', object: structuredClone(good) }], 'test');
  t.deepEqual(store.rejectedFindings(), []);
  t.is(changes(), 1, 'the content in force never changed');
});
