// When a Gateway's status needs writing, and its conditions' lastTransitionTime. The rule
// is Kubernetes' condition convention (metav1.Condition: "lastTransitionTime is the last
// time the condition transitioned from one status to another"): a reason, message or
// observedGeneration change keeps the time, a status change (True/False/Unknown) sets it
// to now. Comparison ignores lastTransitionTime, the order of the lists the API server
// merges by key (conditions by type, listeners by name) and fields Ambit does not write.
import test from 'ava';
import { statusFingerprint, withTransitionTimes } from '../../../controller/gateway/status-changes.js';
import type { GatewayCondition, GatewayStatus } from '../../../controller/gateway/waypoint-status.js';

const T0 = '2024-05-01T00:00:00Z';
const NOW = '2024-05-01T00:05:00Z';

const cond = (type: string, status: GatewayCondition['status'], reason = type, extra: Partial<GatewayCondition> = {}): GatewayCondition => ({ type, status, reason, message: 'm', observedGeneration: 1, ...extra });

function status(programmed: GatewayCondition, extra: Partial<GatewayStatus> = {}): GatewayStatus {
  return {
    addresses: [{ type: 'IPAddress', value: '10.96.0.30' }, { type: 'Hostname', value: 'wp.shop.svc.cluster.local' }],
    conditions: [cond('Accepted', 'True'), programmed],
    listeners: [{ name: 'mesh', attachedRoutes: 0, supportedKinds: [], conditions: [cond('Accepted', 'True'), cond('Programmed', 'True')] }],
    ...extra,
  };
}

const PROGRAMMED = cond('Programmed', 'True');
const base = status(PROGRAMMED);
const stamped = (s: GatewayStatus, time: string): GatewayStatus => withTransitionTimes(s, undefined, time);

const sameRows: [string, unknown, unknown, boolean][] = [
  ['the same status', base, status(PROGRAMMED), true],
  ['only lastTransitionTime differs', stamped(base, T0), stamped(base, NOW), true],
  ['conditions in another order', base, { ...base, conditions: [...base.conditions].reverse() }, true],
  ['listeners in another order', status(PROGRAMMED, { listeners: [{ ...base.listeners[0]!, name: 'a' }, { ...base.listeners[0]!, name: 'b' }] }), status(PROGRAMMED, { listeners: [{ ...base.listeners[0]!, name: 'b' }, { ...base.listeners[0]!, name: 'a' }] }), true],
  ['a field someone else wrote', base, { ...base, conditions: base.conditions.map((c) => ({ ...c, extra: 'x' })), other: 1 }, true],
  ['a condition status', base, status(cond('Programmed', 'False', 'Pending')), false],
  ['a reason', base, status(cond('Programmed', 'True', 'Other')), false],
  ['a message', base, status(cond('Programmed', 'True', 'Programmed', { message: 'served by 2 ready pod(s)' })), false],
  ['observedGeneration', base, status(cond('Programmed', 'True', 'Programmed', { observedGeneration: 2 })), false],
  ['an address', base, status(PROGRAMMED, { addresses: [] }), false],
  ['address order (addresses are not merged by key)', base, status(PROGRAMMED, { addresses: [...base.addresses].reverse() }), false],
  ['a listener condition', base, status(PROGRAMMED, { listeners: [{ ...base.listeners[0]!, conditions: [cond('Accepted', 'False', 'UnsupportedProtocol')] }] }), false],
  ['no status on the object yet', base, undefined, false],
];

for (const [title, a, b, same] of sameRows) {
  test(`status comparison: ${title} → ${same ? 'same' : 'differs'}`, (t) => {
    t.is(statusFingerprint(a) === statusFingerprint(b), same);
  });
}

const timeRows: [string, GatewayCondition, string][] = [
  ['status unchanged: the time stays', cond('Programmed', 'True'), T0],
  ['status unchanged, reason and message changed: the time stays', cond('Programmed', 'True', 'Programmed', { message: 'served by 3 ready pod(s)' }), T0],
  ['status unchanged, a newer generation: the time stays', cond('Programmed', 'True', 'Programmed', { observedGeneration: 7 }), T0],
  ['status changed: now', cond('Programmed', 'False', 'Pending'), NOW],
  ['status changed to Unknown: now', cond('Programmed', 'Unknown', 'Pending'), NOW],
];

for (const [title, programmed, want] of timeRows) {
  test(`lastTransitionTime: ${title}`, (t) => {
    const previous = stamped(base, T0);
    const next = withTransitionTimes(status(programmed), previous, NOW);
    t.is(next.conditions.find((c) => c.type === 'Programmed')?.lastTransitionTime, want);
    t.is(next.conditions.find((c) => c.type === 'Accepted')?.lastTransitionTime, T0); // untouched
  });
}

test('lastTransitionTime: every condition gets one; new conditions, listeners and a first status get now', (t) => {
  const first = withTransitionTimes(base, undefined, NOW);
  t.true([...first.conditions, ...first.listeners.flatMap((l) => l.conditions)].every((c) => c.lastTransitionTime === NOW));
  // A listener renamed is a new listener; a new condition type has no past.
  const previous = stamped(base, T0);
  const next = withTransitionTimes(status(PROGRAMMED, {
    conditions: [...base.conditions, cond('ResolvedRefs', 'True')],
    listeners: [{ ...base.listeners[0]!, name: 'hbone' }],
  }), previous, NOW);
  t.deepEqual(next.conditions.map((c) => c.lastTransitionTime), [T0, T0, NOW]);
  t.true(next.listeners[0]!.conditions.every((c) => c.lastTransitionTime === NOW));
});

test('lastTransitionTime: listener conditions keep theirs by listener name and type, apart from the Gateway\'s', (t) => {
  const previous = { ...stamped(base, T0), conditions: [{ ...cond('Accepted', 'False'), lastTransitionTime: '2020-01-01T00:00:00Z' }] };
  const next = withTransitionTimes(base, previous, NOW);
  t.is(next.conditions[0]?.lastTransitionTime, NOW); // the Gateway's Accepted went False → True
  t.is(next.listeners[0]?.conditions[0]?.lastTransitionTime, T0); // the listener's Accepted stayed True
});

test('lastTransitionTime: the previous status as an object holds it (untyped, odd entries skipped)', (t) => {
  const held: unknown = { conditions: [null, 'x', { type: 'Programmed', status: 'True', lastTransitionTime: T0 }, { type: 'Accepted', status: 'True' }] };
  const next = withTransitionTimes(base, held, NOW);
  t.deepEqual(next.conditions.map((c) => `${c.type}@${c.lastTransitionTime ?? ''}`), [`Accepted@${NOW}`, `Programmed@${T0}`]);
});
