// Kubernetes Service (v1): ports, protocol, targetPort, type and selector.
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { validateLabelMap } from './labels.js';
import { dns1123Label, dns1123Subdomain, ianaSvcName } from './names.js';
import { ipAddress } from './network.js';

export const K8S_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

/** A targetPort / probe port: integer 1..65535 or an IANA_SVC_NAME. */
export function checkIntOrPortName(f: Field): void {
  if (!f.present) return;
  if (typeof f.value === 'number') {
    checkPortNumber(f);
    return;
  }
  const s = f.string();
  if (s === undefined) return;
  if (/^\d+$/.test(s)) {
    f.error(`"${s}" must be an integer port, not a numeric string`);
    return;
  }
  const err = ianaSvcName(s);
  if (err) f.error(`must be a port number or a port name: ${err}`);
}

export function validateK8sService(_obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  const type = spec.key('type').present ? spec.key('type').oneOf(TYPES) : 'ClusterIP';
  const clusterIP = spec.key('clusterIP').string();
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None' && ipAddress(clusterIP)) {
    spec.key('clusterIP').error(`clusterIP must be "None", empty or a valid IP address, got "${clusterIP}"`);
  }
  for (const ip of spec.key('clusterIPs').strings() ?? []) {
    if (ip.value !== 'None' && ipAddress(ip.value)) ip.field.error(`must be "None" or a valid IP address, got "${ip.value}"`);
  }
  if (type === 'ExternalName') {
    const en = spec.key('externalName').requiredString();
    if (en !== undefined) {
      const err = dns1123Subdomain(en.replace(/\.$/, '').toLowerCase());
      if (err) spec.key('externalName').error(err);
    }
  }
  validateLabelMap(spec.key('selector'));

  const portsField = spec.key('ports');
  const ports = portsField.list() ?? [];
  if (ports.length === 0 && type !== 'ExternalName' && clusterIP !== 'None') portsField.error('at least one port is required');
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const p of ports) {
    if (!p.record()) {
      if (!p.present) p.error('port must not be null');
      continue;
    }
    const name = p.key('name').string();
    if (ports.length > 1 && (name === undefined || name === '')) p.key('name').error('port name is required when a Service has more than one port');
    if (name !== undefined && name !== '') {
      const err = dns1123Label(name);
      if (err) p.key('name').error(err);
      if (names.has(name)) p.key('name').error(`duplicate port name "${name}"`);
      names.add(name);
    }
    const port = checkPortNumber(p.key('port'), { required: true });
    const protocol = p.key('protocol').present ? p.key('protocol').oneOf(K8S_PROTOCOLS) : 'TCP';
    if (port !== undefined && protocol !== undefined) {
      const k = `${port}/${protocol}`;
      if (keys.has(k)) p.key('port').error(`duplicate port ${k}`);
      keys.add(k);
    }
    checkIntOrPortName(p.key('targetPort'));
    if (p.key('nodePort').present) checkPortNumber(p.key('nodePort'));
    p.key('appProtocol').nonEmptyString();
  }
}
