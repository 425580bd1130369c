// Node-scoped certificate authorization: the daemon of node N may only hold identities
// of service accounts that have a pod scheduled on N (as istiod checks for ztunnel).
import type { Identity } from '../api/identity.js';
import type { ConfigView } from './config/kinds.js';
import { KINDS } from './config/kinds.js';
import { podSpec } from './translate/kube-types.js';
import { serviceAccountOf } from './translate/workloads.js';

export class NodeAuthorizer {
  private index: Map<string, Set<string>> | undefined; // node → "ns/sa"
  private indexedPods: readonly unknown[] | undefined;

  constructor(private readonly view: ConfigView) {}

  mayHaveIdentity(node: string, identity: Identity): boolean {
    return this.identitiesOn(node).has(`${identity.namespace}/${identity.serviceAccount}`);
  }

  identitiesOn(node: string): ReadonlySet<string> {
    const pods = this.view.list(KINDS.pod);
    if (this.indexedPods !== pods || !this.index) { // the store hands out a new list after every pod change
      this.index = new Map();
      for (const pod of pods) {
        const podNode = podSpec(pod).nodeName;
        if (!podNode) continue;
        let set = this.index.get(podNode);
        if (!set) this.index.set(podNode, (set = new Set()));
        set.add(`${pod.metadata.namespace ?? 'default'}/${serviceAccountOf(pod)}`);
      }
      this.indexedPods = pods;
    }
    return this.index.get(node) ?? new Set();
  }
}
