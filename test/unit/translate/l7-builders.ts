// Builders and a table-case runner for the L7 translation tests (l7-*.test.ts).
import type { ExecutionContext } from 'ava';
import type { L7DestinationPolicy, L7HttpRoute, L7RouteTable, L7TcpRoute, ServiceL7Config } from '../../../api/l7-model.js';
import type { MeshConfig } from '../../../api/model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import type { L7Build } from '../../../controller/translate/l7/build-l7.js';
import { buildL7Configs } from '../../../controller/translate/l7/build-l7.js';
import { defaultMesh } from '../../../controller/translate/mesh.js';
import { viewOf } from './builders.js';

export { service, serviceEntry } from './builders.js';

/** creationTimestamps, oldest first. */
export const T1 = '2026-01-01T00:00:00Z';
export const T2 = '2026-01-02T00:00:00Z';
export const T3 = '2026-01-03T00:00:00Z';

function istio(kind: string, name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind, metadata: { name, namespace: ns, ...(created ? { creationTimestamp: created } : {}) }, spec };
}

export function vs(name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return istio('VirtualService', name, ns, spec, created);
}

export function dr(name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return istio('DestinationRule', name, ns, spec, created);
}

function gatewayApi(kind: string, name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name, namespace: ns, ...(created ? { creationTimestamp: created } : {}) }, spec };
}

export function httpRoute(name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return gatewayApi('HTTPRoute', name, ns, spec, created);
}

export function grpcRoute(name: string, ns: string, spec: Record<string, unknown>, created?: string): KubeObject {
  return gatewayApi('GRPCRoute', name, ns, spec, created);
}

/** A Service parentRef (GAMMA). */
export function svcParent(name: string, o: { port?: number; namespace?: string; sectionName?: string } = {}): Record<string, unknown> {
  return { group: '', kind: 'Service', name, ...o };
}

export function backend(name: string, port: number, o: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, port, ...o };
}

/** `http.route[]` entry. */
export function to(host: string, o: { port?: number; subset?: string; weight?: number; headers?: unknown } = {}): Record<string, unknown> {
  const destination: Record<string, unknown> = { host };
  if (o.port !== undefined) destination.port = { number: o.port };
  if (o.subset !== undefined) destination.subset = o.subset;
  const out: Record<string, unknown> = { destination };
  if (o.weight !== undefined) out.weight = o.weight;
  if (o.headers !== undefined) out.headers = o.headers;
  return out;
}

export const fqdn = (name: string, ns = 'default'): string => `${name}.${ns}.svc.cluster.local`;
export const key = (name: string, ns = 'default'): string => `${ns}/${fqdn(name, ns)}`;

export function build(objects: KubeObject[], mesh: Partial<MeshConfig> = {}): L7Build {
  return buildL7Configs(viewOf(...objects), defaultMesh(mesh));
}

export interface L7Case {
  title: string;
  objects: KubeObject[];
  mesh?: Partial<MeshConfig>;
  /** The service the expectations below are about (default `default/reviews...`). */
  service?: string;
  /** Expected `routes.http` of that service. */
  http?: L7HttpRoute[];
  tcp?: L7TcpRoute[];
  /** Expected fields of `routes` (kind, origins). */
  table?: Partial<Omit<L7RouteTable, 'http' | 'tcp'>>;
  /** Expected destination policy; null: none. */
  destination?: L7DestinationPolicy | null;
  /** Expected service keys of all configs. */
  services?: string[];
  /** Each must match some warning. */
  warnings?: RegExp[];
  /** No warning at all. */
  noWarnings?: boolean;
}

export function runCase(t: ExecutionContext, c: L7Case): void {
  const out = build(c.objects, c.mesh);
  const serviceKey = c.service ?? key('reviews');
  const config: ServiceL7Config | undefined = out.configs.find((x) => x.service === serviceKey);
  if (c.services) t.deepEqual(out.configs.map((x) => x.service), c.services, 'services');
  if (c.http) t.deepEqual(config?.routes?.http, c.http, 'http');
  if (c.tcp) t.deepEqual(config?.routes?.tcp, c.tcp, 'tcp');
  if (c.table) for (const [k, v] of Object.entries(c.table)) t.deepEqual(config?.routes?.[k as keyof L7RouteTable], v, `routes.${k}`);
  if (c.destination !== undefined) t.deepEqual(config?.destination, c.destination ?? undefined, 'destination');
  for (const re of c.warnings ?? []) t.true(out.warnings.some((w) => re.test(w)), `no warning matches ${String(re)} in ${JSON.stringify(out.warnings, null, 1)}`);
  if (c.noWarnings) t.deepEqual(out.warnings, [], 'warnings');
}
