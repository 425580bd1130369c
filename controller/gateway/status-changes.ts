// Whether a Gateway's status needs writing, and the lastTransitionTime of each condition,
// by Kubernetes' condition convention: lastTransitionTime is when the condition's status
// last changed, so it stays as it was while the status (True/False/Unknown) stays, even
// when the reason or message change. Pure.
//
// A status is compared by the fields Ambit writes (addresses; conditions and listeners
// with their conditions), without lastTransitionTime, conditions in type order and
// listeners in name order (the API server merges lists keyed by type and name, so their
// order is not ours to keep). Fields someone else wrote are not compared.
import { int, list, rec, str } from '../translate/l7/common.js';
import type { GatewayCondition, GatewayStatus } from './waypoint-status.js';

function byKey<T>(key: (v: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

function comparableConditions(v: unknown): unknown[] {
  return list(v).map((c) => rec(c) ?? {})
    .map((c) => ({ type: str(c.type) ?? '', status: str(c.status) ?? '', reason: str(c.reason) ?? '', message: str(c.message) ?? '', observedGeneration: int(c.observedGeneration) ?? null }))
    .sort(byKey((c) => c.type));
}

/** A status (ours, or as an object holds it) reduced to what is compared, as one string. */
export function statusFingerprint(status: unknown): string {
  const s = rec(status) ?? {};
  return JSON.stringify({
    addresses: list(s.addresses).map((a) => ({ type: str(rec(a)?.type) ?? '', value: str(rec(a)?.value) ?? '' })),
    conditions: comparableConditions(s.conditions),
    listeners: list(s.listeners).map((l) => rec(l) ?? {})
      .map((l) => ({
        name: str(l.name) ?? '',
        attachedRoutes: int(l.attachedRoutes) ?? 0,
        supportedKinds: list(l.supportedKinds).map((k) => ({ group: str(rec(k)?.group) ?? '', kind: str(rec(k)?.kind) ?? '' })),
        conditions: comparableConditions(l.conditions),
      }))
      .sort(byKey((l) => l.name)),
  });
}

/** Condition status and lastTransitionTime by "gateway/<type>" or "listener:<name>/<type>". */
function transitions(status: unknown): Map<string, { status: string; time: string }> {
  const out = new Map<string, { status: string; time: string }>();
  const add = (prefix: string, conditions: unknown): void => {
    for (const c of list(conditions).map((x) => rec(x) ?? {})) {
      const time = str(c.lastTransitionTime);
      if (time) out.set(`${prefix}/${str(c.type) ?? ''}`, { status: str(c.status) ?? '', time });
    }
  };
  const s = rec(status) ?? {};
  add('gateway', s.conditions);
  for (const l of list(s.listeners).map((x) => rec(x) ?? {})) add(`listener:${str(l.name) ?? ''}`, l.conditions);
  return out;
}

/**
 * `next` with every condition's lastTransitionTime: the previous one when that
 * condition's status did not change, else `now`. `previous` is the status written before
 * (as the object holds it, or as last sent), undefined when there was none.
 */
export function withTransitionTimes(next: GatewayStatus, previous: unknown, now: string): GatewayStatus {
  const before = transitions(previous);
  const stamp = (prefix: string, c: GatewayCondition): GatewayCondition => {
    const was = before.get(`${prefix}/${c.type}`);
    return { ...c, lastTransitionTime: was && was.status === c.status ? was.time : now };
  };
  return {
    addresses: next.addresses,
    conditions: next.conditions.map((c) => stamp('gateway', c)),
    listeners: next.listeners.map((l) => ({ ...l, conditions: l.conditions.map((c) => stamp(`listener:${l.name}`, c)) })),
  };
}
