// The whole translation: valid configuration → the model every daemon receives (pure).
import type { Authorization, L7Config, ModelResource, Service, Workload } from '../../api/model.js';
import { policyKey, serviceKey } from '../../api/model.js';
import type { ConfigView } from '../config/kinds.js';
import { KINDS } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import { convertAuthorizationPolicy } from './authorization-policy.js';
import { istioSelector, labelsOf, selectorMatches } from './kube-types.js';
import type { MeshSettings } from './mesh.js';
import { convertPeerAuthentication, peerAuthnPolicyKeys, selectLevels, staticStrictPolicy } from './peer-authentication.js';
import { translateService, translateServiceEntry } from './services.js';
import { TranslationCache } from './translation-cache.js';
import { translatePod } from './workloads.js';
import { buildL7Configs } from './l7/build-l7.js';

export interface Model {
  workloads: Workload[];
  services: Service[];
  authorizations: Authorization[];
  /** Per-service L7 configuration (routes, destination policy) for waypoints, sorted by service key. */
  l7: L7Config[];
  mesh: MeshSettings;
  /** Accepted-with-warning conditions (e.g. HTTP attributes the node proxy cannot enforce). */
  warnings: string[];
}

interface SelectorPolicy { key: string; namespace: string; selector: Record<string, string> }

function byName(a: { metadata: { namespace?: string; name: string } }, b: { metadata: { namespace?: string; name: string } }): number {
  const na = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const nb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Builds the model. Pass the same `cache` between builds to reuse the translation of
 * every object whose inputs did not change (results are identical either way).
 */
export function buildModel(view: ConfigView, mesh: MeshSettings, cache = new TranslationCache()): Model {
  const warnings: string[] = [];
  const root = mesh.rootNamespace;
  const namespaces = view.list(KINDS.namespace);
  const gateways = view.list(KINDS.gateway);
  const authzPolicies = view.list(KINDS.authorizationPolicy);
  const peerAuthns = view.list(KINDS.peerAuthentication);
  const podDeps = [mesh, namespaces, gateways, authzPolicies, peerAuthns, view.list(KINDS.service), view.list(KINDS.endpointSlice)];
  const serviceDeps = [mesh, namespaces, gateways];

  // Authorization policies.
  const authorizations: Authorization[] = [];
  const selectorPolicies = new Map<string, SelectorPolicy[]>(); // by namespace
  for (const ap of [...authzPolicies].sort(byName)) {
    const { policy, warnings: w } = cache.policies.get(ap, [root], () => convertAuthorizationPolicy(ap, root));
    warnings.push(...w);
    if (!policy) continue;
    authorizations.push(policy);
    if (policy.scope === 'WORKLOAD_SELECTOR') {
      const list = selectorPolicies.get(policy.namespace) ?? [];
      list.push({ key: policyKey(policy), namespace: policy.namespace, selector: istioSelector(ap) ?? {} });
      selectorPolicies.set(policy.namespace, list);
    }
  }

  // Peer authentication.
  for (const pa of [...peerAuthns].sort(byName)) {
    const ns = pa.metadata.namespace ?? '';
    const parents = selectLevels(peerAuthns, root, ns, {});
    const converted = convertPeerAuthentication(pa, { mesh: parents.mesh, namespace: parents.namespace }, root);
    if (converted) authorizations.push(converted);
  }

  const policyKeysOf = (pod: KubeObject): string[] => {
    const ns = pod.metadata.namespace ?? 'default';
    const labels = labelsOf(pod);
    const keys = new Set<string>();
    for (const candidates of [selectorPolicies.get(ns), ns === root ? undefined : selectorPolicies.get(root)]) {
      for (const p of candidates ?? []) if (selectorMatches(p.selector, labels)) keys.add(p.key);
    }
    for (const k of peerAuthnPolicyKeys(selectLevels(peerAuthns, root, ns, labels), root)) keys.add(k);
    return [...keys].sort();
  };

  const workloads: Workload[] = [];
  for (const pod of view.list(KINDS.pod)) {
    const w = cache.workloads.get(pod, podDeps, () => translatePod(view, pod, mesh, policyKeysOf));
    if (w) workloads.push(w);
  }
  authorizations.push(staticStrictPolicy(root)); // always available, referenced by STRICT workloads

  const services = new Map<string, Service>();
  for (const svc of [...view.list(KINDS.service)].sort(byName)) {
    const s = cache.services.get(svc, serviceDeps, () => translateService(view, svc));
    if (s) services.set(serviceKey(s), s);
  }
  for (const se of [...view.list(KINDS.serviceEntry)].sort(byName)) {
    for (const s of cache.serviceEntries.get(se, [], () => translateServiceEntry(se))) {
      const key = serviceKey(s);
      if (services.has(key)) {
        warnings.push(`ServiceEntry ${se.metadata.namespace}/${se.metadata.name}: host ${s.hostname} is already defined in namespace ${s.namespace}; the first definition wins`);
        continue;
      }
      services.set(key, s);
    }
  }

  // L7 (routes and destination policy, used by waypoints): JSON inside one message each.
  const l7Build = buildL7Configs(view, mesh);
  warnings.push(...l7Build.warnings);
  const l7 = l7Build.configs
    .map((c): L7Config => ({ service: c.service, json: JSON.stringify(c) }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));

  return { workloads, services: [...services.values()], authorizations, l7, mesh, warnings };
}

/** The model as keyed resources: the unit of snapshots and deltas. */
export function modelResources(model: Model): ModelResource[] {
  const out: ModelResource[] = [];
  for (const w of model.workloads) out.push({ kind: 'WORKLOAD', name: w.uid, value: w });
  for (const s of model.services) out.push({ kind: 'SERVICE', name: serviceKey(s), value: s });
  for (const a of model.authorizations) out.push({ kind: 'AUTHORIZATION', name: policyKey(a), value: a });
  for (const c of model.l7) out.push({ kind: 'L7_CONFIG', name: c.service, value: c });
  out.push({ kind: 'MESH_CONFIG', name: 'mesh', value: { ...model.mesh } });
  return out;
}
