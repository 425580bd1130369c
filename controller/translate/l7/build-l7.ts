// Builds the L7 configuration of every service (routes from VirtualServices and Gateway
// API routes, destination policy from DestinationRules): pure. One config per service
// that has routes or a destination policy, sorted by service key. Warnings name the
// resource (`<Kind> <ns>/<name>`) and the field.
//
// When a VirtualService and Gateway API routes both target one service (mixing them is
// undefined behaviour in Istio, reference rule 58), the Gateway API routes are used.
import type { ServiceL7Config } from '../../../api/l7-model.js';
import type { ConfigView } from '../../config/kinds.js';
import { KINDS } from '../../config/kinds.js';
import type { MeshSettings } from '../mesh.js';
import { Warnings } from './common.js';
import { buildDestinationPolicies } from './destination-rule.js';
import { GRPC_ROUTE_KIND, buildGatewayRouteTables } from './http-route.js';
import { ServiceIndex } from './service-index.js';
import { buildVirtualServiceTables } from './virtual-service.js';

export interface L7Build {
  configs: ServiceL7Config[];
  warnings: string[];
}

const L7_KINDS = [KINDS.virtualService, KINDS.destinationRule, KINDS.httpRoute, GRPC_ROUTE_KIND];

export function buildL7Configs(view: ConfigView, mesh: MeshSettings): L7Build {
  if (L7_KINDS.every((k) => view.list(k).length === 0)) return { configs: [], warnings: [] };
  const w = new Warnings();
  const services = new ServiceIndex(view);
  const vsTables = buildVirtualServiceTables(view, services, w);
  const gatewayTables = buildGatewayRouteTables(view, services, w);
  const policies = buildDestinationPolicies(view, services, mesh, w);

  const keys = [...new Set([...vsTables.keys(), ...gatewayTables.keys(), ...policies.keys()])].sort();
  const configs: ServiceL7Config[] = [];
  for (const key of keys) {
    const config: ServiceL7Config = { service: key };
    const gw = gatewayTables.get(key);
    const vs = vsTables.get(key);
    if (gw && vs) {
      const vsId = vs.origins[0] ?? 'VirtualService';
      w.out.push(`${vsId}: spec.hosts: service ${key} also has Gateway API routes (${gw.origins.join(', ')}); mixing both is undefined, the Gateway API routes are used and this VirtualService is ignored for it`);
    }
    const routes = gw ?? vs;
    if (routes) config.routes = routes;
    const destination = policies.get(key);
    if (destination) config.destination = destination;
    configs.push(config);
  }
  return { configs, warnings: w.out };
}
