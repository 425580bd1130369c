// Entry point: validates one resource of a known kind on the way in. Dispatches on
// kind + API group; checks the version, the metadata, then the kind's own rules.
import type { KubeObject } from '../config/resource.js';
import { isRecord } from '../config/resource.js';
import { validateAuthorizationPolicy } from './authorization-policy.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEndpointSlice } from './endpoint-slice.js';
import { Field } from './field.js';
import type { Finding } from './finding.js';
import { FindingCollector } from './finding.js';
import { validateGatewayClass } from './gateway-class.js';
import { validateHttpRoute } from './http-route.js';
import { validateIstioGateway } from './istio-gateway.js';
import { validateK8sGateway } from './k8s-gateway.js';
import { validateK8sService } from './k8s-service.js';
import { validateDeployment, validatePod } from './k8s-workloads.js';
import type { NameRule } from './metadata.js';
import { validateMetadata } from './metadata.js';
import type { ValidateOptions } from './options.js';
import { validatePeerAuthentication } from './peer-authentication.js';
import { validateRequestAuthentication } from './request-authentication.js';
import { validateServiceEntry } from './service-entry.js';
import { validateTelemetry } from './telemetry.js';
import { validateVirtualService } from './virtual-service.js';

export type { ValidateOptions } from './options.js';

export interface KnownKind {
  /** API group ("" for the core group). */
  group: string;
  kind: string;
  /** Versions accepted for this kind. */
  versions: readonly string[];
}

type KindValidator = (obj: KubeObject, spec: Field, opts?: ValidateOptions) => void;

interface KindEntry extends KnownKind {
  nameRule: NameRule;
  /** Where the kind keeps its content: `spec`, or the object root (EndpointSlice). */
  root: 'spec' | 'object';
  validate?: KindValidator;
}

const ISTIO_NETWORKING = ['v1', 'v1beta1', 'v1alpha3'];
const ISTIO_SECURITY = ['v1', 'v1beta1'];
const GATEWAY_API = ['v1', 'v1beta1'];

const ENTRIES: readonly KindEntry[] = [
  { group: '', kind: 'Namespace', versions: ['v1'], nameRule: 'dns1123-label', root: 'spec' },
  { group: '', kind: 'Pod', versions: ['v1'], nameRule: 'subdomain', root: 'spec', validate: validatePod },
  { group: '', kind: 'Service', versions: ['v1'], nameRule: 'dns1035-label', root: 'spec', validate: validateK8sService },
  { group: '', kind: 'ServiceAccount', versions: ['v1'], nameRule: 'subdomain', root: 'spec' },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', versions: ['v1'], nameRule: 'subdomain', root: 'object', validate: validateEndpointSlice },
  { group: 'apps', kind: 'Deployment', versions: ['v1'], nameRule: 'subdomain', root: 'spec', validate: validateDeployment },
  { group: 'security.istio.io', kind: 'AuthorizationPolicy', versions: ISTIO_SECURITY, nameRule: 'subdomain', root: 'spec', validate: validateAuthorizationPolicy },
  { group: 'security.istio.io', kind: 'PeerAuthentication', versions: ISTIO_SECURITY, nameRule: 'subdomain', root: 'spec', validate: validatePeerAuthentication },
  { group: 'security.istio.io', kind: 'RequestAuthentication', versions: ISTIO_SECURITY, nameRule: 'subdomain', root: 'spec', validate: validateRequestAuthentication },
  { group: 'networking.istio.io', kind: 'VirtualService', versions: ISTIO_NETWORKING, nameRule: 'subdomain', root: 'spec', validate: validateVirtualService },
  { group: 'networking.istio.io', kind: 'DestinationRule', versions: ISTIO_NETWORKING, nameRule: 'subdomain', root: 'spec', validate: validateDestinationRule },
  { group: 'networking.istio.io', kind: 'ServiceEntry', versions: ISTIO_NETWORKING, nameRule: 'subdomain', root: 'spec', validate: validateServiceEntry },
  { group: 'networking.istio.io', kind: 'Gateway', versions: ISTIO_NETWORKING, nameRule: 'subdomain', root: 'spec', validate: validateIstioGateway },
  { group: 'telemetry.istio.io', kind: 'Telemetry', versions: ['v1', 'v1alpha1'], nameRule: 'subdomain', root: 'spec', validate: validateTelemetry },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway', versions: GATEWAY_API, nameRule: 'subdomain', root: 'spec', validate: validateK8sGateway },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', versions: GATEWAY_API, nameRule: 'subdomain', root: 'spec', validate: validateGatewayClass },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', versions: GATEWAY_API, nameRule: 'subdomain', root: 'spec', validate: validateHttpRoute },
];

/** Every kind Ambit reads, with the API versions it accepts. */
export const KNOWN_KINDS: readonly KnownKind[] = ENTRIES.map(({ group, kind, versions }) => ({ group, kind, versions }));

/** Splits `group/version` ("v1" → core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function entryFor(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): KindEntry | undefined {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  const { group } = splitApiVersion(obj.apiVersion);
  return ENTRIES.find((e) => e.kind === obj.kind && e.group === group);
}

/** True when kind + API group is one Ambit reads (whatever the version). */
export function isKnownKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return entryFor(obj) !== undefined;
}

/** Validates one resource; unknown kinds yield no findings (the caller warns once per kind). */
export function validateResource(obj: KubeObject, opts?: ValidateOptions): Finding[] {
  const entry = entryFor(obj);
  if (!entry) return [];
  const meta = isRecord(obj.metadata) ? obj.metadata : { name: '' };
  const out = new FindingCollector({ kind: obj.kind, metadata: { ...meta, name: typeof meta.name === 'string' ? meta.name : '' } });
  const { group, version } = splitApiVersion(obj.apiVersion);
  if (!entry.versions.includes(version)) {
    out.error('apiVersion', `version ${version} is not supported for ${obj.kind}; use ${entry.versions.map((v) => (group === '' ? v : `${group}/${v}`)).join(' or ')}`);
    return out.findings;
  }
  validateMetadata(obj, out, entry.nameRule);
  if (!isRecord(obj.metadata)) return out.findings;
  if (group.endsWith('istio.io') && entry.kind !== 'AuthorizationPolicy' && obj.metadata.annotations?.['istio.io/dry-run'] !== undefined) {
    out.error('metadata.annotations[istio.io/dry-run]', `${obj.kind} has unsupported annotation istio.io/dry-run, please remove the annotation`);
  }
  const root = entry.root === 'spec' ? new Field(obj.spec, 'spec', out) : new Field(obj, '', out);
  try {
    entry.validate?.(obj, root, opts);
  } catch (e) {
    out.warn('', `internal validation error (resource not fully checked): ${e instanceof Error ? e.message : String(e)}`);
  }
  return out.findings;
}
