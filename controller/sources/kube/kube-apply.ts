// Server-side apply: the controller sends the whole object it wants (only the fields it
// owns) as a PATCH with content type application/apply-patch+yaml (JSON is YAML), under
// one field manager, with force=true so it takes over fields someone else changed. The
// API server creates the object when it does not exist.
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

/** /api/v1/namespaces/<ns>/<plural>/<name> or /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>. */
export function appliedObjectPath(obj: KubeObject): string {
  const plural = APPLIED_RESOURCES[`${obj.apiVersion}/${obj.kind}`];
  const namespace = obj.metadata.namespace;
  if (!plural || !namespace || !obj.metadata.name) {
    throw new AmbitError('AMBIT_ERR_KUBE_APPLY', `cannot apply ${obj.apiVersion} ${obj.kind} ${namespace ?? ''}/${obj.metadata.name}: not a kind the controller writes, or no namespace`);
  }
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(obj.metadata.name)}`;
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
    return kubeRequestJson(this.kubeConfig, appliedObjectPath(obj), {
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
