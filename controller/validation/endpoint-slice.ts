// discovery.k8s.io/v1 EndpointSlice: address type, endpoint addresses and ports.
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { dns1123Label, dns1123Subdomain } from './names.js';
import { isIP } from 'node:net';
import { K8S_PROTOCOLS } from './k8s-service.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;

export function validateEndpointSlice(obj: KubeObject, root: Field): void {
  const addressType = root.key('addressType');
  const type = addressType.present ? addressType.oneOf(ADDRESS_TYPES) : undefined;
  if (!addressType.present) addressType.error('addressType is required');
  if (obj.metadata.labels?.['kubernetes.io/service-name'] === undefined) {
    root.out.warn('metadata.labels', 'no kubernetes.io/service-name label: the slice is not associated with any Service');
  }
  for (const ep of root.key('endpoints').list() ?? []) {
    if (!ep.record()) continue;
    const addrs = ep.key('addresses');
    const list = addrs.strings() ?? [];
    if (addrs.emptyList) addrs.error('at least one address is required');
    if (addrs.size > 100) addrs.error('at most 100 addresses are allowed');
    for (const a of list) {
      const ok = type === 'IPv4' ? isIP(a.value) === 4 : type === 'IPv6' ? isIP(a.value) === 6 : type === 'FQDN' ? dns1123Subdomain(a.value) === undefined : true;
      if (!ok) a.field.error(`"${a.value}" is not a valid ${type ?? ''} address`);
    }
    const cond = ep.key('conditions');
    if (cond.record()) for (const k of ['ready', 'serving', 'terminating']) cond.key(k).boolean();
    ep.key('nodeName').string();
  }
  const names = new Set<string>();
  for (const p of root.key('ports').list() ?? []) {
    if (!p.record()) continue;
    if (p.key('port').present) checkPortNumber(p.key('port'));
    if (p.key('protocol').present) p.key('protocol').oneOf(K8S_PROTOCOLS);
    const name = p.key('name').string() ?? '';
    if (name !== '') {
      const err = dns1123Label(name);
      if (err) p.key('name').error(err);
    }
    if (names.has(name)) p.key('name').error(`duplicate port name "${name}"`);
    names.add(name);
  }
}
