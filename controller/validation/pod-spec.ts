// Kubernetes PodSpec checks shared by Pod and Deployment templates: containers and their
// ports, the service account name (workload identity) and pod IPs.
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { dns1123Label, dns1123Subdomain, ianaSvcName } from './names.js';
import { K8S_PROTOCOLS } from './k8s-service.js';

export function validatePodSpec(spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  const containers = spec.key('containers');
  if (containers.emptyList) containers.error('at least one container is required');
  const names = new Set<string>();
  const portNames = new Set<string>();
  for (const list of [containers, spec.key('initContainers')]) {
    for (const c of list.list() ?? []) validateContainer(c, names, portNames);
  }
  for (const k of ['serviceAccountName', 'serviceAccount']) {
    const sa = spec.key(k).string();
    if (sa !== undefined && sa !== '') {
      const err = dns1123Subdomain(sa);
      if (err) spec.key(k).error(`invalid service account name: ${err}`);
    }
  }
  spec.key('hostNetwork').boolean();
  spec.key('nodeName').string();
}

function validateContainer(c: Field, names: Set<string>, portNames: Set<string>): void {
  if (!c.record()) {
    if (!c.present) c.error('container must not be null');
    return;
  }
  const name = c.key('name').requiredString();
  if (name !== undefined) {
    const err = dns1123Label(name);
    if (err) c.key('name').error(`invalid container name: ${err}`);
    if (names.has(name)) c.key('name').error(`duplicate container name "${name}"`);
    names.add(name);
  }
  c.key('image').string();
  for (const p of c.key('ports').list() ?? []) {
    if (!p.record()) continue;
    checkPortNumber(p.key('containerPort'), { required: true });
    if (p.key('hostPort').present) checkPortNumber(p.key('hostPort'));
    if (p.key('protocol').present) p.key('protocol').oneOf(K8S_PROTOCOLS);
    const pn = p.key('name').string();
    if (pn !== undefined && pn !== '') {
      const err = ianaSvcName(pn);
      if (err) p.key('name').error(err);
      if (portNames.has(pn)) p.key('name').error(`duplicate port name "${pn}" in the pod`);
      portNames.add(pn);
    }
  }
}
