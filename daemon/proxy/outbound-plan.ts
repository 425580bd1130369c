// Where an outbound connection goes (pure): given the captured connection's source and
// original destination and the daemon's state, decide between an HBONE tunnel to the
// destination pod's node, an HBONE tunnel to the destination's waypoint, a same-node
// delivery (same identity and policy checks, no network hop), a plain TCP passthrough,
// or a refusal.
import { isIP } from 'node:net';
import type { Service, Waypoint, Workload } from '../../api/model.js';
import { PORTS, serviceKey } from '../../api/model.js';
import type { Identity } from '../../api/identity.js';
import type { ProxyState } from '../state/proxy-state.js';
import { cidrContains } from './cidr.js';

export interface Address { ip: string; port: number }

export type OutboundPlan =
  | { kind: 'hbone'; source: Workload; destination: Workload; service?: Service; target: Address; tunnel: Address; srcIdentity: Identity; dstIdentity: Identity }
  /**
   * The destination (a Service VIP, or a pod IP whose workload has its own waypoint) uses a
   * waypoint: HBONE to one of the waypoint's pods, the original destination as the CONNECT
   * authority (the waypoint routes and picks the endpoint), the waypoint's identity as the peer.
   */
  | { kind: 'waypoint'; source: Workload; waypoint: Workload; service?: Service; authority: Address; tunnel: Address; srcIdentity: Identity; dstIdentity: Identity }
  | { kind: 'local'; source: Workload; destination: Workload; service?: Service; target: Address; srcIdentity: Identity; dstIdentity: Identity }
  | { kind: 'passthrough'; source: Workload; destination?: Workload; service?: Service; target: Address; reason: string }
  /** A pod outside the mesh reached a same-node mesh pod through a Service VIP: plaintext, with that pod's inbound policy. */
  | { kind: 'plaintext-local'; source: Workload; destination: Workload; service: Service; target: Address }
  | { kind: 'refuse'; source?: Workload; reason: string };

/** Picks one endpoint among candidates (round robin in the daemon, first in tests). */
export type EndpointPicker = (serviceKey: string, candidates: readonly Workload[]) => Workload;

export function identityOf(w: Workload): Identity {
  return { trustDomain: w.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount };
}

/** Healthy workloads backing a service port, with the target port each one uses. */
export function endpointsOf(state: ProxyState, svc: Service, servicePort: number): { workload: Workload; targetPort: number }[] {
  const key = serviceKey(svc);
  const out: { workload: Workload; targetPort: number }[] = [];
  for (const w of state.endpointsByService.get(key) ?? []) {
    if (w.status !== 'HEALTHY') continue;
    const mapping = w.services[key]?.ports.find((p) => p.servicePort === servicePort);
    if (mapping) out.push({ workload: w, targetPort: mapping.targetPort });
  }
  return out;
}

function serviceEntryFor(state: ProxyState, dst: Address): Service | undefined {
  for (const s of state.servicesByKey.values()) {
    if (s.sourceKind !== 'ServiceEntry') continue;
    if (s.ports.length > 0 && !s.ports.some((p) => p.servicePort === dst.port)) continue;
    if (s.addresses.some((a) => cidrContains(a, dst.ip))) return s;
  }
  return undefined;
}

function toEndpoint(source: Workload, destination: Workload, targetPort: number, node: string, service?: Service): OutboundPlan {
  const ip = destination.addresses[0]!;
  const target = { ip, port: targetPort };
  if (destination.tunnelProtocol !== 'HBONE') {
    return { kind: 'passthrough', source, destination, service, target, reason: 'destination not in the mesh' };
  }
  const common = { source, destination, service, target, srcIdentity: identityOf(source), dstIdentity: identityOf(destination) };
  if (destination.node === node) return { kind: 'local', ...common };
  return { kind: 'hbone', ...common, tunnel: { ip, port: PORTS.hbone } };
}

/**
 * The plan through `waypoint` for traffic addressed to `authority` (as ztunnel: the
 * waypoint is one of the healthy pods backing the waypoint's Service, reached with HBONE
 * on its port even on this node, as it is a separate process). Undefined when the source
 * is itself that waypoint (its own upstream traffic goes direct); a refusal when the
 * waypoint cannot be reached (Istio fails the connection rather than skip the waypoint).
 */
function viaWaypoint(state: ProxyState, source: Workload, waypoint: Waypoint, authority: Address, pick: EndpointPicker, service?: Service): OutboundPlan | undefined {
  const key = `${waypoint.namespace}/${waypoint.hostname}`;
  if (source.services[key] !== undefined) return undefined;
  const name = `waypoint ${waypoint.namespace}/${waypoint.name}`;
  if (!state.servicesByKey.has(key)) return { kind: 'refuse', source, reason: `${name}: service ${waypoint.hostname} not found` };
  const pods = [...state.endpointsByService.get(key) ?? []].filter((w) => w.status === 'HEALTHY' && w.addresses.length > 0);
  if (pods.length === 0) return { kind: 'refuse', source, reason: `${name}: no healthy endpoints for ${waypoint.hostname}` };
  const chosen = pick(key, pods);
  return {
    kind: 'waypoint', source, waypoint: chosen, service, authority,
    tunnel: { ip: chosen.addresses[0]!, port: waypoint.hbonePort || PORTS.hbone },
    srcIdentity: identityOf(source), dstIdentity: identityOf(chosen),
  };
}

/** A Service VIP's chosen endpoint and target port, or why there is none. */
function pickEndpoint(state: ProxyState, svc: Service, port: number, pick: EndpointPicker): { workload: Workload; targetPort: number } | { reason: string } {
  if (!svc.ports.some((p) => p.servicePort === port)) return { reason: `service ${svc.hostname} has no port ${port}` };
  const endpoints = endpointsOf(state, svc, port);
  if (endpoints.length === 0) return { reason: `no healthy endpoints for ${svc.hostname}:${port}` };
  const chosen = pick(serviceKey(svc), endpoints.map((e) => e.workload));
  return { workload: chosen, targetPort: endpoints.find((e) => e.workload === chosen)?.targetPort ?? port };
}

/**
 * A local pod outside the mesh is captured only for Service VIPs (where no kube-proxy
 * runs): the daemon load-balances like kube-proxy and connects in plaintext, so the
 * destination applies its inbound rules (STRICT refuses) as for any plaintext client.
 */
function planOutsideMesh(state: ProxyState, node: string, source: Workload, dst: Address, pick: EndpointPicker): OutboundPlan {
  const svc = state.serviceByVip(dst.ip);
  if (!svc) return { kind: 'passthrough', source, target: dst, reason: 'source not in the mesh' };
  const picked = pickEndpoint(state, svc, dst.port, pick);
  if ('reason' in picked) return { kind: 'refuse', source, reason: picked.reason };
  const destination = picked.workload;
  const target = { ip: destination.addresses[0]!, port: picked.targetPort };
  if (destination.tunnelProtocol === 'HBONE' && destination.node === node) return { kind: 'plaintext-local', source, destination, service: svc, target };
  return { kind: 'passthrough', source, destination, service: svc, target, reason: 'source not in the mesh (Service load balancing only)' };
}

export function planOutbound(state: ProxyState, node: string, src: Address, dst: Address, pick: EndpointPicker): OutboundPlan {
  const source = state.workloadByIp(src.ip);
  if (!source) return { kind: 'refuse', reason: `unknown source ${src.ip}` };
  if (source.node !== node) return { kind: 'refuse', source, reason: `source ${source.namespace}/${source.name} is not on this node` };
  if (isIP(dst.ip) === 0) return { kind: 'refuse', source, reason: `invalid destination ${dst.ip}` };
  if (source.tunnelProtocol !== 'HBONE') return planOutsideMesh(state, node, source, dst, pick);

  const svc = state.serviceByVip(dst.ip);
  if (svc) {
    if (!svc.ports.some((p) => p.servicePort === dst.port)) return { kind: 'refuse', source, reason: `service ${svc.hostname} has no port ${dst.port}` };
    const via = svc.waypoint ? viaWaypoint(state, source, svc.waypoint, dst, pick, svc) : undefined;
    if (via) return via;
    const picked = pickEndpoint(state, svc, dst.port, pick);
    if ('reason' in picked) return { kind: 'refuse', source, reason: picked.reason };
    // Service-addressed: a workload waypoint of the chosen endpoint is not used (as ztunnel).
    return toEndpoint(source, picked.workload, picked.targetPort, node, svc);
  }

  const destination = state.workloadByIp(dst.ip);
  if (destination) {
    const via = destination.waypoint ? viaWaypoint(state, source, destination.waypoint, dst, pick) : undefined;
    return via ?? toEndpoint(source, destination, dst.port, node);
  }

  const entry = serviceEntryFor(state, dst);
  if (entry) return { kind: 'passthrough', source, service: entry, target: dst, reason: `ServiceEntry ${entry.namespace}/${entry.name}` };
  if (state.mesh.outboundTrafficPolicy === 'REGISTRY_ONLY') {
    return { kind: 'refuse', source, reason: `${dst.ip}:${dst.port} is not a known service or ServiceEntry (outboundTrafficPolicy REGISTRY_ONLY)` };
  }
  return { kind: 'passthrough', source, target: dst, reason: 'unknown destination (ALLOW_ANY)' };
}
