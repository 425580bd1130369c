// Gateway API shared formats (kubernetes-sigs/gateway-api apis/v1 shared_types.go):
// SectionName, object references and parent references.
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { dns1123Label, dns1123Subdomain } from './names.js';

const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export function sectionNameProblem(s: string): string | undefined {
  if (s === '' || s.length > 253 || !SECTION_NAME.test(s)) return `"${s}" is not a valid section name (lower case DNS subdomain)`;
  return undefined;
}

export function checkObjectName(f: Field, required = true): string | undefined {
  const name = required ? f.requiredString() : f.string();
  if (name === undefined) return undefined;
  if (name.length > 253) f.error(`name "${name}" must be at most 253 characters`);
  return name;
}

export function checkNamespaceRef(f: Field): void {
  const ns = f.string();
  if (ns === undefined) return;
  const err = ns === '' ? 'must not be empty' : dns1123Label(ns);
  if (err) f.error(`invalid namespace: ${err}`);
}

export function checkGroup(f: Field): string {
  const g = f.string() ?? '';
  if (g !== '' && dns1123Subdomain(g) !== undefined) f.error(`"${g}" is not a valid API group`);
  return g;
}

export interface ParentRefKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName: string;
  port: number | undefined;
}

/** ParentReference: defaults group gateway.networking.k8s.io, kind Gateway (reference rule 99 for Service parents). */
export function validateParentRef(f: Field, ownNamespace: string): ParentRefKey | undefined {
  if (!f.record()) {
    if (!f.present) f.error('parentRef must not be null');
    return undefined;
  }
  f.knownKeys(['group', 'kind', 'namespace', 'name', 'sectionName', 'port']);
  const group = f.key('group').present ? checkGroup(f.key('group')) : GATEWAY_API_GROUP;
  const kind = f.key('kind').string() ?? 'Gateway';
  checkNamespaceRef(f.key('namespace'));
  const name = checkObjectName(f.key('name'));
  const section = f.key('sectionName').string();
  if (section !== undefined) {
    const err = sectionNameProblem(section);
    if (err) f.key('sectionName').error(err);
  }
  const port = f.key('port').present ? checkPortNumber(f.key('port')) : undefined;
  if (group === '' && kind === 'Service' && !f.key('port').present) {
    f.warn('a Service parentRef without port attaches the route to every port of the Service');
  }
  if (name === undefined) return undefined;
  return { group, kind, namespace: f.key('namespace').string() ?? ownNamespace, name, sectionName: section ?? '', port };
}
