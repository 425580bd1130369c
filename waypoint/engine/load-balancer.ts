// Endpoint choice inside one destination (rules 84, 85): the pure pick functions and a
// small stateful EndpointPicker holding what they need between requests (round-robin
// positions per service+subset key, in-flight request counts per endpoint, consistent-hash
// tables per group).
import type { L7ConsistentHash, L7LoadBalancer } from '../../api/l7-model.js';
import { buildHashTable, type HashTable } from './consistent-hash.js';

/** What the picker needs of an endpoint: a stable identity (a workload uid) for in-flight counts. */
export type PickerEndpoint = { readonly uid: string } | { readonly workload: { readonly uid: string } };

export function endpointId(e: PickerEndpoint): string {
  return 'workload' in e ? e.workload.uid : e.uid;
}

/** The endpoint at `counter` modulo the list (the caller advances the counter). */
export function pickRoundRobin<E>(endpoints: readonly E[], counter: number): E | undefined {
  if (endpoints.length === 0) return undefined;
  return endpoints[counter % endpoints.length];
}

/** A uniformly random endpoint; `random` returns a number in [0, 1). */
export function pickRandom<E>(endpoints: readonly E[], random: () => number): E | undefined {
  if (endpoints.length === 0) return undefined;
  return endpoints[Math.min(endpoints.length - 1, Math.floor(random() * endpoints.length))];
}

/**
 * Envoy's LEAST_REQUEST with equal weights: the power of two choices. Two endpoints are
 * drawn at random (possibly the same one) and the one with fewer requests in flight wins;
 * a tie goes to the first drawn. A single endpoint is always chosen.
 */
export function pickLeastRequest<E>(endpoints: readonly E[], inFlight: (e: E) => number, random: () => number): E | undefined {
  if (endpoints.length <= 1) return endpoints[0];
  const a = pickRandom(endpoints, random) as E;
  const b = pickRandom(endpoints, random) as E;
  return inFlight(b) < inFlight(a) ? b : a;
}

export class EndpointPicker {
  private readonly counters = new Map<string, number>();
  private readonly active = new Map<string, number>();
  /** Consistent-hash tables per group, rebuilt when the group's endpoints or algorithm change. */
  private readonly tables = new Map<string, { signature: string; ids: string[]; table: HashTable }>();

  constructor(private readonly random: () => number = Math.random) {}

  /**
   * One endpoint of a non-empty list, by `lb`. `key` names the load-balancing group (the
   * service, port and subset) whose round-robin position advances. PASSTHROUGH has no
   * balancing of its own to do here (the waypoint only knows the service's endpoints),
   * so it picks at random. Throws on an empty list: the caller answers 503 before.
   */
  pick<E extends PickerEndpoint>(key: string, endpoints: readonly E[], lb: L7LoadBalancer): E {
    if (endpoints.length === 0) throw new Error(`no endpoint to pick for ${key}`);
    let chosen: E | undefined;
    switch (lb) {
      case 'ROUND_ROBIN': {
        const n = this.counters.get(key) ?? 0;
        this.counters.set(key, (n + 1) % Number.MAX_SAFE_INTEGER);
        chosen = pickRoundRobin(endpoints, n);
        break;
      }
      case 'RANDOM':
      case 'PASSTHROUGH':
        chosen = pickRandom(endpoints, this.random);
        break;
      case 'LEAST_REQUEST':
        chosen = pickLeastRequest(endpoints, (e) => this.inFlight(e), this.random);
        break;
    }
    return chosen ?? (endpoints[0] as E);
  }

  /** Consistent hash (rule 85): the endpoint of a non-empty list that `hash` maps to in group `key`'s table. */
  pickByHash<E extends PickerEndpoint>(key: string, endpoints: readonly E[], ch: L7ConsistentHash, hash: number): E {
    if (endpoints.length === 0) throw new Error(`no endpoint to pick for ${key}`);
    const byId = new Map(endpoints.map((e) => [endpointId(e), e]));
    const ids = [...byId.keys()].sort();
    const signature = `${JSON.stringify(ch.algorithm)}|${ids.join(',')}`;
    let cached = this.tables.get(key);
    if (!cached || cached.signature !== signature) {
      cached = { signature, ids, table: buildHashTable(ch, ids) };
      this.tables.set(key, cached);
    }
    return byId.get(cached.ids[cached.table.pick(hash)]!) ?? (endpoints[0] as E);
  }

  /** A request to `e` started: counts toward least-request until `finished(e)`. */
  started(e: PickerEndpoint): void {
    const id = endpointId(e);
    this.active.set(id, (this.active.get(id) ?? 0) + 1);
  }

  finished(e: PickerEndpoint): void {
    const id = endpointId(e);
    const n = (this.active.get(id) ?? 0) - 1;
    if (n > 0) this.active.set(id, n);
    else this.active.delete(id);
  }

  inFlight(e: PickerEndpoint): number {
    return this.active.get(endpointId(e)) ?? 0;
  }

  /** Forgets the round-robin position of a group (its service or subset went away). */
  forget(key: string): void {
    this.counters.delete(key);
  }
}
