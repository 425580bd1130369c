// ServiceEntry (networking.istio.io): semantics reference §6, rules 90-95
// (VAL ValidateServiceEntry).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { validateLabelMap } from './labels.js';
import { dns1123Label, fqdn, isPartialWildcard, isWildcardHost, wildcardDomain } from './names.js';
import { ipAddress, ipOrCidr } from './network.js';
import { validateExportTo, validateWorkloadSelector } from './policy-scope.js';
import { istioProtocolProblem, isHttpProtocol, isTlsProtocol } from './protocols.js';

const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'] as const;
type Resolution = (typeof RESOLUTIONS)[number];

export function validateServiceEntry(obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['hosts', 'addresses', 'ports', 'location', 'resolution', 'endpoints', 'workloadSelector', 'exportTo', 'subjectAltNames']);

  const resField = spec.key('resolution');
  const resolution: Resolution | undefined = resField.present ? resField.oneOf(RESOLUTIONS) : 'NONE';
  if (spec.key('location').present) spec.key('location').oneOf(['MESH_EXTERNAL', 'MESH_INTERNAL']);

  // Hosts (rule 92).
  const hostsField = spec.key('hosts');
  const hosts = hostsField.strings() ?? [];
  if (hostsField.emptyList) hostsField.error('service entry must have at least one host');
  for (const { field, value } of hosts) {
    if (value === '*') {
      field.error('invalid host *: a ServiceEntry cannot select every host');
      continue;
    }
    const err = wildcardDomain(value);
    if (err) field.error(err);
    else if (isPartialWildcard(value)) field.warn(`partial wildcard "${value}" not allowed; use "*.<domain>"`);
    else if (isWildcardHost(value) && resolution !== 'DYNAMIC_DNS') {
      field.warn(`wildcard host "${value}": the node proxy (ztunnel) and waypoints do not support wildcard ServiceEntry hosts (waypoints need DYNAMIC_DNS)`);
    }
  }

  // Addresses (rule 93).
  let cidrFound = false;
  for (const { field, value } of spec.key('addresses').strings() ?? []) {
    const err = ipOrCidr(value);
    if (err) field.error(err);
    if (value.includes('/')) cidrFound = true;
  }
  if (cidrFound && resolution !== undefined && resolution !== 'NONE' && resolution !== 'STATIC') {
    resField.error('CIDR addresses are allowed only for NONE/STATIC resolution types');
  }

  // Ports.
  const portsField = spec.key('ports');
  const ports = portsField.list() ?? [];
  if (portsField.emptyList) portsField.error('at least one port is required');
  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  const protocols: string[] = [];
  for (const p of ports) {
    if (!p.present) {
      p.error('service entry port may not be null');
      continue;
    }
    if (!p.record()) continue;
    p.knownKeys(['number', 'protocol', 'name', 'targetPort']);
    const n = checkPortNumber(p.key('number'), { required: true });
    if (n !== undefined) {
      if (portNumbers.has(n)) p.key('number').error(`service entry port ${n} already defined`);
      portNumbers.add(n);
    }
    const name = p.key('name').string();
    if (name === undefined || name === '') p.key('name').error('port name is required');
    else {
      const err = dns1123Label(name);
      if (err) p.key('name').error(`invalid port name: ${err}`);
      if (portNames.has(name)) p.key('name').error(`service entry port name "${name}" already defined`);
      portNames.add(name);
    }
    const proto = p.key('protocol').string() ?? '';
    const perr = istioProtocolProblem(proto);
    if (perr) p.key('protocol').error(perr);
    protocols.push(proto);
    if (p.key('targetPort').present) {
      checkPortNumber(p.key('targetPort'));
      if (resolution === 'NONE') p.key('targetPort').warn('targetPort has no effect when resolution mode is NONE');
    }
  }

  // Resolution-specific rules (rules 92, 93).
  const endpointsField = spec.key('endpoints');
  const endpoints = endpointsField.list() ?? [];
  const ws = spec.key('workloadSelector');
  if (ws.present) {
    validateWorkloadSelector(ws);
    if (endpointsField.present) ws.error('only one of workloadSelector or endpoints is allowed in a ServiceEntry');
    if (resolution !== 'STATIC') ws.warn(`workloadSelector should not be set when resolution mode is ${resolution ?? 'invalid'}`);
  }
  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0) endpointsField.error('no endpoints should be provided for resolution type NONE');
      break;
    case 'STATIC':
      for (const ep of endpoints) validateEndpoint(ep, portNames, false);
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        for (const { field, value } of hosts) {
          if (value !== '*' && wildcardDomain(value) === undefined && fqdn(value) !== undefined) {
            field.error(`hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}; wildcard hosts need NONE (or DYNAMIC_DNS) or endpoints`);
          }
        }
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) endpointsField.error(`there must only be 0 or 1 endpoint for resolution mode ${resolution}`);
      for (const ep of endpoints) validateEndpoint(ep, portNames, true);
      break;
    case 'DYNAMIC_DNS':
      for (const ep of endpoints) validateEndpoint(ep, portNames, true);
      break;
    default:
      break;
  }

  // Several hosts on a port that is neither HTTP nor TLS need NONE (rule 93).
  if (resolution !== 'NONE' && hosts.length > 1 && protocols.some((p) => !isHttpProtocol(p) && !isTlsProtocol(p))) {
    hostsField.error('multiple hosts provided with non-HTTP, non-TLS ports; use resolution NONE or one host per ServiceEntry');
  }
  spec.key('subjectAltNames').strings({ nonEmpty: true });
  validateExportTo(spec.key('exportTo'), obj.metadata.namespace ?? 'default', { serviceEntry: true });
}

function validateEndpoint(f: Field, servicePorts: Set<string>, allowFqdn: boolean): void {
  if (!f.present) {
    f.error('endpoint cannot be nil');
    return;
  }
  if (!f.record()) return;
  f.knownKeys(['address', 'ports', 'labels', 'network', 'locality', 'weight', 'serviceAccount']);
  const af = f.key('address');
  const addr = af.string() ?? '';
  if (addr === '') {
    if (!f.key('network').present) af.error('address is required');
  } else if (addr.startsWith('unix://')) {
    const path = addr.slice('unix://'.length);
    if (!path.startsWith('@') && (!path.startsWith('/') || path.endsWith('/'))) af.error(`${path} is not an absolute path to a file`);
    if (f.key('ports').size > 0) f.key('ports').error(`unix endpoint ${addr} must not include ports`);
  } else if (ipAddress(addr) !== undefined) {
    if (!allowFqdn) af.error(`endpoint address "${addr}" is not a valid IP address`);
    else if (fqdn(addr) !== undefined) af.error(`endpoint address "${addr}" is not a valid FQDN or an IP address`);
  }
  for (const [name, pf] of f.key('ports').entries() ?? []) {
    if (!servicePorts.has(name)) pf.error(`endpoint port ${name} is not defined by the service entry`);
    checkPortNumber(pf);
  }
  validateLabelMap(f.key('labels'));
  f.key('weight').intInRange(0);
}
