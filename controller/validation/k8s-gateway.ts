// Gateway API Gateway (gateway.networking.k8s.io): the CRD's listener rules (GWAPI
// gateway_types.go CEL validations) plus the waypoint listener convention (DESIGN §7).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { checkGroup, checkNamespaceRef, checkObjectName, sectionNameProblem } from './gateway-api-common.js';
import { validateLabelMap } from './labels.js';
import { dns1123Subdomain, gatewayApiHostname } from './names.js';
import { ipAddress } from './network.js';
import { WAYPOINT_CLASS } from '../translate/waypoints.js';

const PROTOCOL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;

export function validateK8sGateway(_obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['gatewayClassName', 'listeners', 'addresses', 'infrastructure', 'backendTLS', 'allowedListeners']);
  const cls = spec.key('gatewayClassName').requiredString();
  if (cls !== undefined) {
    const err = dns1123Subdomain(cls);
    if (err) spec.key('gatewayClassName').error(err);
  }
  const listenersField = spec.key('listeners');
  const listeners = listenersField.list() ?? [];
  if (listenersField.emptyList) listenersField.error('at least one listener is required');
  if (listeners.length > 64) listenersField.error('at most 64 listeners are allowed');
  const names = new Set<string>();
  const combos = new Set<string>();
  let hbone = false;
  for (const l of listeners) {
    if (!l.record()) {
      if (!l.present) l.error('listener must not be null');
      continue;
    }
    l.knownKeys(['name', 'hostname', 'port', 'protocol', 'tls', 'allowedRoutes']);
    const name = l.key('name').requiredString();
    if (name !== undefined) {
      const err = sectionNameProblem(name);
      if (err) l.key('name').error(err);
      if (names.has(name)) l.key('name').error(`listener name "${name}" must be unique within the Gateway`);
      names.add(name);
    }
    const port = checkPortNumber(l.key('port'), { required: true });
    const protocol = l.key('protocol').requiredString();
    if (protocol !== undefined && !PROTOCOL.test(protocol)) l.key('protocol').error(`"${protocol}" is not a valid protocol name`);
    const hostname = l.key('hostname').string();
    if (hostname !== undefined) {
      const err = gatewayApiHostname(hostname);
      if (err) l.key('hostname').error(err);
      if (protocol === 'TCP' || protocol === 'UDP') l.key('hostname').error("hostname must not be specified for protocols ['TCP', 'UDP']");
    }
    const combo = `${port ?? '?'}/${protocol ?? '?'}/${hostname ?? ''}`;
    if (combos.has(combo)) l.error('combination of port, protocol and hostname must be unique for each listener');
    combos.add(combo);
    if (protocol === 'HBONE' && port === 15008) hbone = true;
    validateListenerTls(l.key('tls'), protocol);
    validateAllowedRoutes(l.key('allowedRoutes'));
  }
  for (const a of spec.key('addresses').list() ?? []) {
    if (!a.record()) continue;
    a.knownKeys(['type', 'value']);
    const type = a.key('type').string() ?? 'IPAddress';
    const value = a.key('value').string();
    if (value === undefined || value === '') {
      if (type !== 'IPAddress' || a.key('value').present) a.key('value').error('address value must not be empty');
      continue;
    }
    if (type === 'IPAddress' && ipAddress(value)) a.key('value').error(`"${value}" is not a valid IP address`);
    if (type === 'Hostname' && gatewayApiHostname(value)) a.key('value').error(gatewayApiHostname(value) ?? '');
  }
  const infra = spec.key('infrastructure');
  if (infra.record()) {
    validateLabelMap(infra.key('labels'));
    infra.key('annotations').stringMap();
  }
  if (cls === WAYPOINT_CLASS && listeners.length > 0 && !hbone) {
    listenersField.warn('a waypoint Gateway (class istio-waypoint) needs a listener {name: mesh, port: 15008, protocol: HBONE}');
  }
}

function validateListenerTls(f: Field, protocol: string | undefined): void {
  if (!f.present) {
    if (protocol === 'HTTPS' || protocol === 'TLS') f.error(`tls must be specified for protocol ${protocol}`);
    return;
  }
  if (!f.record()) return;
  if (protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP') f.error(`tls must not be specified for protocol ${protocol}`);
  f.knownKeys(['mode', 'certificateRefs', 'options', 'frontendValidation']);
  const mode = f.key('mode').present ? f.key('mode').oneOf(['Terminate', 'Passthrough']) : 'Terminate';
  if (protocol === 'HTTPS' && mode === 'Passthrough') f.key('mode').error('tls mode must be Terminate for protocol HTTPS');
  const refs = f.key('certificateRefs').list() ?? [];
  if (refs.length > 64) f.key('certificateRefs').error('at most 64 certificateRefs are allowed');
  for (const r of refs) {
    if (!r.record()) continue;
    r.knownKeys(['group', 'kind', 'name', 'namespace']);
    checkGroup(r.key('group'));
    checkObjectName(r.key('name'));
    checkNamespaceRef(r.key('namespace'));
  }
  if (mode === 'Terminate' && refs.length === 0 && f.key('options').size === 0) f.error('certificateRefs or options must be specified when mode is Terminate');
  f.key('options').stringMap();
}

function validateAllowedRoutes(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['namespaces', 'kinds']);
  const ns = f.key('namespaces');
  if (ns.record()) {
    ns.knownKeys(['from', 'selector']);
    const from = ns.key('from').present ? ns.key('from').oneOf(['All', 'Same', 'Selector', 'None']) : 'Same';
    if (from === 'Selector' && !ns.key('selector').present) ns.key('selector').error('selector is required when from is Selector');
  }
  for (const k of f.key('kinds').list() ?? []) {
    if (!k.record()) continue;
    k.knownKeys(['group', 'kind']);
    checkGroup(k.key('group'));
    k.key('kind').requiredString();
  }
}
