// The services L7 configuration can attach to, keyed like the model's Service resources
// (`<ns>/<hostname>`): Kubernetes Services (`<name>.<ns>.svc.cluster.local`) and
// ServiceEntry hosts, with the same first-definition-wins rule as buildModel.
import { serviceKey } from '../../../api/model.js';
import type { ConfigView } from '../../config/kinds.js';
import { KINDS } from '../../config/kinds.js';
import { hostSubsetOf } from '../../validation/names.js';
import { translateService, translateServiceEntry } from '../services.js';
import { serviceHostname } from '../service-ports.js';
import { byName } from './common.js';

export interface KnownService {
  key: string;
  /** The Service or ServiceEntry name. */
  name: string;
  namespace: string;
  /** As the Service resource carries it. */
  hostname: string;
  kind: 'Service' | 'ServiceEntry';
  /** Service ports (number and name). */
  ports: { number: number; name: string }[];
}

/** How specific a host pattern is for one service: exact beats any wildcard, longer wildcards beat shorter ones. */
export function hostSpecificity(pattern: string): number {
  return pattern.startsWith('*') ? pattern.length : Number.MAX_SAFE_INTEGER;
}

export class ServiceIndex {
  readonly all: KnownService[] = [];
  private readonly byKey = new Map<string, KnownService>();
  private readonly byHost = new Map<string, KnownService[]>();

  constructor(view: ConfigView) {
    const add = (s: KnownService): void => {
      if (this.byKey.has(s.key)) return;
      this.byKey.set(s.key, s);
      this.all.push(s);
      const host = s.hostname.toLowerCase();
      this.byHost.set(host, [...(this.byHost.get(host) ?? []), s]);
    };
    for (const svc of [...view.list(KINDS.service)].sort(byName)) {
      const s = translateService(view, svc);
      if (s) add({ key: serviceKey(s), name: s.name, namespace: s.namespace, hostname: s.hostname, kind: 'Service', ports: s.ports.map((p) => ({ number: p.servicePort, name: p.name })) });
    }
    for (const se of [...view.list(KINDS.serviceEntry)].sort(byName)) {
      for (const s of translateServiceEntry(se)) {
        add({ key: serviceKey(s), name: s.name, namespace: s.namespace, hostname: s.hostname, kind: 'ServiceEntry', ports: s.ports.map((p) => ({ number: p.servicePort, name: p.name })) });
      }
    }
  }

  get(key: string): KnownService | undefined {
    return this.byKey.get(key);
  }

  /** The Kubernetes Service `<ns>/<name>`. */
  kubeService(namespace: string, name: string): KnownService | undefined {
    const s = this.byKey.get(`${namespace}/${serviceHostname(name, namespace)}`);
    return s?.kind === 'Service' ? s : undefined;
  }

  /** Services with exactly this (fully qualified) hostname, in any namespace. */
  withHost(host: string): KnownService[] {
    return this.byHost.get(host.toLowerCase()) ?? [];
  }

  /** Services a resolved host pattern covers: the same hostname, or under a `*.` wildcard. */
  covered(pattern: string): KnownService[] {
    if (!pattern.startsWith('*')) return this.withHost(pattern);
    return this.all.filter((s) => hostSubsetOf(s.hostname, pattern));
  }
}
