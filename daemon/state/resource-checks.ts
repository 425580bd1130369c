// Checks a daemon applies to each received resource before it takes effect; a resource
// that fails is NACKed by name and the rest of the update still applies.
import { isIP } from 'node:net';
import type { ModelResource } from '../../api/model.js';

/** Returns a reason when the resource cannot be used, else undefined. */
export function resourceProblem(r: ModelResource): string | undefined {
  switch (r.kind) {
    case 'WORKLOAD': {
      const w = r.value;
      if (!w.uid || w.uid !== r.name) return 'workload uid missing or not equal to the resource name';
      if (!w.namespace || !w.serviceAccount) return 'workload namespace and service account are required';
      const bad = w.addresses.find((a) => isIP(a) === 0);
      if (bad !== undefined) return `workload address ${JSON.stringify(bad)} is not an IP address`;
      return undefined;
    }
    case 'SERVICE': {
      const s = r.value;
      if (!s.hostname || !s.namespace) return 'service hostname and namespace are required';
      const bad = s.addresses.find((a) => isIP(a.split('/')[0] ?? '') === 0);
      if (bad !== undefined) return `service address ${JSON.stringify(bad)} is not an IP address`;
      if (s.ports.some((p) => p.servicePort < 1 || p.servicePort > 65535)) return 'service port out of range';
      return undefined;
    }
    case 'AUTHORIZATION': {
      const a = r.value;
      if (!a.name || !a.namespace) return 'policy name and namespace are required';
      for (const rule of a.rules) for (const c of rule.clauses) for (const m of c.matches) {
        for (const cidr of [...m.sourceIps, ...m.notSourceIps, ...m.destinationIps, ...m.notDestinationIps]) {
          const family = isIP(cidr.address);
          if (family === 0 || cidr.length > (family === 4 ? 32 : 128)) return `invalid CIDR ${cidr.address}/${cidr.length}`;
        }
      }
      return undefined;
    }
    case 'MESH_CONFIG':
      return r.value.outboundTrafficPolicy === 'ALLOW_ANY' || r.value.outboundTrafficPolicy === 'REGISTRY_ONLY' || r.value.outboundTrafficPolicy === ''
        ? undefined : `unknown outboundTrafficPolicy ${r.value.outboundTrafficPolicy}`;
    case 'L7_CONFIG':
      // The JSON inside is parsed and shape-checked by the updater (l7-config-check.ts).
      return r.value.service !== '' && r.value.service === r.name ? undefined : 'L7 config service missing or not equal to the resource name';
  }
}
