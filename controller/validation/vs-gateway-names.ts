// VirtualService `gateways` entries: `mesh`, `<name>`, or `<namespace>/<name>`
// (reference rule 55; VAL validateGatewayNames).
import type { Field } from './field.js';
import { dns1123Label, fqdn } from './names.js';

export const MESH_GATEWAY = 'mesh';

export function validateGatewayNames(f: Field): string[] {
  const names: string[] = [];
  for (const { field, value } of f.strings() ?? []) {
    names.push(value);
    if (value === MESH_GATEWAY) continue;
    const slash = value.indexOf('/');
    if (slash < 0) {
      if (value.includes('.')) {
        const [name = '', ns = ''] = value.split('.');
        field.warn(`using legacy gatewayName format "${value}"; prefer the <namespace>/<name> format: "${ns}/${name}"`);
        const err = fqdn(value);
        if (err) field.error(err);
      } else {
        const err = dns1123Label(value);
        if (err) field.error(`invalid value for gateway name: ${err}`);
      }
      continue;
    }
    const ns = value.slice(0, slash);
    const name = value.slice(slash + 1);
    if (ns === '' || name === '') {
      field.error('config namespace and gateway name cannot be empty');
      continue;
    }
    const nsErr = dns1123Label(ns);
    if (nsErr) field.error(`invalid value for namespace: ${nsErr}`);
    const nameErr = dns1123Label(name);
    if (nameErr) field.error(`invalid value for gateway name: ${nameErr}`);
  }
  return names;
}
