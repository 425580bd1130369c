// VirtualService (networking.istio.io): semantics reference §4, rules 53-80
// (VAL ValidateVirtualService and the unreachable-rule warnings).
import type { KubeObject } from '../config/resource.js';
import { canonicalJson } from './canonical-json.js';
import type { Field } from './field.js';
import { checkIpOrCidr, checkPortNumber } from './field-checks.js';
import { validateRouteDestinations } from './istio-destination.js';
import { validateLabelMap } from './labels.js';
import { hostsOverlap, hostSubsetOf, wildcardDomain } from './names.js';
import { ipAddress } from './network.js';
import { validateExportTo } from './policy-scope.js';
import { validateHttpRoute } from './vs-http-route.js';
import { MESH_GATEWAY, validateGatewayNames } from './vs-gateway-names.js';

export function validateVirtualService(obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['hosts', 'gateways', 'http', 'tls', 'tcp', 'exportTo']);

  const gateways = validateGatewayNames(spec.key('gateways'));
  const appliesToMesh = gateways.length === 0 || gateways.includes(MESH_GATEWAY);

  const hostsField = spec.key('hosts');
  const hosts = hostsField.strings() ?? [];
  if (hostsField.emptyList) {
    hostsField.error('hosts must not be empty (delegate VirtualServices without hosts are not supported)');
  }
  let allHostsValid = true;
  for (const { field, value } of hosts) {
    const err = wildcardDomain(value);
    if (err && ipAddress(value) !== undefined) {
      field.error(err);
      allHostsValid = false;
    } else if (value === '*' && appliesToMesh) {
      field.error('wildcard host * is not allowed for virtual services bound to the mesh gateway');
      allHostsValid = false;
    }
  }
  if (allHostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        const a = hosts[i];
        const b = hosts[j];
        if (a && b && hostsOverlap(a.value, b.value)) b.field.error(`duplicate hosts in virtual service: ${a.value} & ${b.value}`);
      }
    }
  }

  const http = spec.key('http').list() ?? [];
  const tcp = spec.key('tcp').list() ?? [];
  const tls = spec.key('tls').list() ?? [];
  if (http.length === 0 && tcp.length === 0 && tls.length === 0) spec.error('http, tcp or tls must be provided in virtual service');

  for (const route of http) validateHttpRoute(route, { appliesToMesh });
  for (const route of tcp) validateL4Route(route, 'tcp', hosts.map((h) => h.value), appliesToMesh);
  for (const route of tls) validateL4Route(route, 'tls', hosts.map((h) => h.value), appliesToMesh);

  validateExportTo(spec.key('exportTo'), obj.metadata.namespace ?? 'default');
  warnUnreachable(http, 'http');
  warnUnreachable(tcp, 'tcp');
  warnUnreachable(tls, 'tls');
}

function validateL4Route(f: Field, kind: 'tcp' | 'tls', vsHosts: string[], appliesToMesh: boolean): void {
  if (!f.present) {
    f.error(`${kind} route may not be null`);
    return;
  }
  if (!f.record()) return;
  f.knownKeys(['match', 'route']);
  const matches = f.key('match').list() ?? [];
  if (kind === 'tls' && matches.length === 0) f.key('match').error('TLS route must have at least one match condition');
  for (const m of matches) {
    if (!m.present) {
      m.error(`${kind} match may not be null`);
      continue;
    }
    if (!m.record()) continue;
    const keys = ['destinationSubnets', 'port', 'sourceLabels', 'gateways', 'sourceNamespace'];
    m.knownKeys(kind === 'tls' ? ['sniHosts', ...keys] : [...keys, 'sourceSubnet']);
    for (const s of m.key('destinationSubnets').list() ?? []) checkIpOrCidr(s);
    if (m.key('sourceSubnet').present) checkIpOrCidr(m.key('sourceSubnet'));
    if (m.key('port').present) checkPortNumber(m.key('port'));
    validateLabelMap(m.key('sourceLabels'));
    validateGatewayNames(m.key('gateways'));
    if (kind === 'tls') validateSniHosts(m.key('sniHosts'), vsHosts, appliesToMesh);
  }
  const route = f.key('route');
  if (route.emptyList) route.error(`${kind.toUpperCase()} route is required`);
  validateRouteDestinations(route, { http: false });
}

function validateSniHosts(f: Field, vsHosts: string[], appliesToMesh: boolean): void {
  const items = f.strings() ?? [];
  if (f.emptyList) {
    f.error('TLS match must have at least one SNI host');
    return;
  }
  for (const { field, value } of items) {
    const err = wildcardDomain(value);
    if (err) {
      if (ipAddress(value) === undefined) field.warn(`using an IP address ("${value}") goes against SNI spec and most clients do not support this`);
      else field.error(err);
      continue;
    }
    if (value === '*' && appliesToMesh) {
      field.error('wildcard SNI host * is not allowed for virtual services bound to the mesh gateway');
      continue;
    }
    if (!vsHosts.some((h) => hostSubsetOf(value, h))) {
      field.error(`SNI host "${value}" is not a compatible subset of any of the virtual service hosts: [${vsHosts.join(', ')}]`);
    }
  }
}

/** Rules after a catch-all and matches duplicating earlier ones never apply (rule 59). */
function warnUnreachable(routes: Field[], kind: string): void {
  let catchAll: number | undefined;
  const seen = new Map<string, number>();
  routes.forEach((route, i) => {
    if (catchAll !== undefined) {
      route.warn(`${kind} rule ${i} is never used: rule ${catchAll} has no match and catches all traffic first`);
      return;
    }
    const matches = route.key('match');
    if (matches.size === 0) {
      catchAll = i;
      return;
    }
    const list = Array.isArray(matches.value) ? (matches.value as unknown[]) : [];
    let dup = 0;
    list.forEach((m, j) => {
      const withoutName = typeof m === 'object' && m !== null && !Array.isArray(m) ? { ...(m as Record<string, unknown>), name: undefined } : m;
      const key = canonicalJson(withoutName);
      const prev = seen.get(key);
      if (prev !== undefined) {
        matches.warn(`${kind} rule ${i} match ${j} is never used (duplicate of a match in rule ${prev})`);
        dup++;
      } else seen.set(key, i);
    });
    if (dup === list.length && list.length > 0) route.warn(`${kind} rule ${i} is never used: all matches are used by prior rules`);
  });
}
