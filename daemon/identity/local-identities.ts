// The identities of the mesh workloads scheduled on one node, from the daemon's state:
// what the daemon hands to IdentityManager.setLocalIdentities after each update. Pods
// outside the mesh (tunnelProtocol NONE) never use a certificate, so none is fetched.
import { spiffeUri, type Identity } from '../../api/identity.js';
import type { ProxyState } from '../state/proxy-state.js';

export function localIdentities(state: ProxyState, node: string): Identity[] {
  const byId = new Map<string, Identity>();
  for (const w of state.workloadsByUid.values()) {
    if (w.node !== node || w.tunnelProtocol !== 'HBONE' || !w.serviceAccount || !w.namespace) continue;
    const id = { trustDomain: w.trustDomain || state.mesh.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount };
    byId.set(spiffeUri(id), id);
  }
  return [...byId.values()];
}
