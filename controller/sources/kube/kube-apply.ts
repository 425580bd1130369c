// Server-side apply: the controller sends the whole object it wants (only the fields it
// owns) as a PATCH with content type application/apply-patch+yaml (JSON is YAML), under
// one field manager, with force=true so it takes over fields someone else changed. The
// API server creates the object when it does not exist.
//
// The status of a waypoint Gateway is applied the same way to its `status` subresource
// (`.../gateways/<name>/status`), under the same field manager, as Istio writes objects
// and status as one manager (pilot-discovery): the API server keeps status ownership
// apart anyway (managedFields with `subresource: status`). A status apply changes only
// `.status`, never creates the object (404 when it is gone), and needs RBAC `patch` on
// `gateways/status`.
import type { KubeConfig } from '@kubernetes/client-node';
import { AmbitError } from '../../../api/errors.js';
import type { KubeObject } from '../../config/resource.js';
import { kubeRequestJson } from './kube-request.js';

export const FIELD_MANAGER = 'ambit-controller';
export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

/** The kinds the controller writes: "<apiVersion>/<Kind>" → plural resource name (all namespaced). */
const APPLIED_RESOURCES: Readonly<Record<string, string>> = {
  'v1/ServiceAccount': 'serviceaccounts',
  'v1/Service': 'services',
  'v1/ConfigMap': 'configmaps',
  'apps/v1/Deployment': 'deployments',
};

/** The kinds whose status the controller writes (namespaced). */
const STATUS_RESOURCES: Readonly<Record<string, string>> = {
  'gateway.networking.k8s.io/v1/Gateway': 'gateways',
};

function objectPath(obj: KubeObject, resources: Readonly<Record<string, string>>, what: string): string {
  const plural = resources[`${obj.apiVersion}/${obj.kind}`];
  const namespace = obj.metadata.namespace;
  if (!plural || !namespace || !obj.metadata.name) {
    throw new AmbitError('AMBIT_ERR_KUBE_APPLY', `cannot apply ${obj.apiVersion} ${obj.kind} ${namespace ?? ''}/${obj.metadata.name}: not a kind the controller writes ${what} of, or no namespace`);
  }
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(obj.metadata.name)}`;
}

/** /api/v1/namespaces/<ns>/<plural>/<name> or /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>. */
export function appliedObjectPath(obj: KubeObject): string {
  return objectPath(obj, APPLIED_RESOURCES, 'the whole');
}

/** The status subresource: /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/status. */
export function appliedStatusPath(obj: KubeObject): string {
  return `${objectPath(obj, STATUS_RESOURCES, 'the status')}/status`;
}

export interface KubeApplierOptions {
  fieldManager?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export class KubeApplier {
  private readonly fieldManager: string;
  private readonly timeoutMs: number;

  constructor(private readonly kubeConfig: KubeConfig, options: KubeApplierOptions = {}) {
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Applies `obj`; resolves with the object as the API server stored it. Failures are KubeRequestError AMBIT_ERR_KUBE_APPLY. */
  async apply(obj: KubeObject, signal?: AbortSignal): Promise<unknown> {
    return this.patch(appliedObjectPath(obj), obj, signal);
  }

  /** Applies `obj.status` to its status subresource (`obj`: apiVersion, kind, name, namespace and status); resolves with the stored object. */
  async applyStatus(obj: KubeObject, signal?: AbortSignal): Promise<unknown> {
    return this.patch(appliedStatusPath(obj), obj, signal);
  }

  private async patch(path: string, obj: KubeObject, signal: AbortSignal | undefined): Promise<unknown> {
    return kubeRequestJson(this.kubeConfig, path, {
      method: 'PATCH',
      query: { fieldManager: this.fieldManager, force: 'true' },
      body: JSON.stringify(obj),
      contentType: APPLY_PATCH_CONTENT_TYPE,
      code: 'AMBIT_ERR_KUBE_APPLY',
      signal,
      timeoutMs: this.timeoutMs,
    });
  }
}
