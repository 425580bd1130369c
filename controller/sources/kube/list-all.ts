// A full (paginated) list of one kind, with apiVersion/kind filled in on every item
// (the API server leaves them off list items).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../api/log.js';
import type { KubeObject } from '../../config/resource.js';
import { isRecord } from '../../config/resource.js';
import { apiVersionOf, collectionPath, type WatchedKind } from './kinds.js';
import { KubeRequestError, kubeGetJson, statusCodeOf } from './kube-request.js';

export interface ListResult {
  items: KubeObject[];
  /** The list's resourceVersion: where the following watch starts. */
  resourceVersion: string;
}

export interface ListOptions {
  pageSize: number;
  signal: AbortSignal;
  logger: Logger;
}

/** Checks the shape the store relies on and stamps apiVersion/kind; undefined if unusable. */
export function asKubeObject(value: unknown, kind: WatchedKind): KubeObject | undefined {
  if (!isRecord(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string' || value.metadata.name === '') return undefined;
  return { ...value, apiVersion: apiVersionOf(kind), kind: kind.kind } as KubeObject;
}

export async function listAll(kc: KubeConfig, kind: WatchedKind, options: ListOptions): Promise<ListResult> {
  const path = collectionPath(kind);
  let paginate = options.pageSize > 0;
  for (;;) {
    const items: KubeObject[] = [];
    let cont = '';
    let resourceVersion = '';
    try {
      do {
        const query: Record<string, string> = {};
        if (paginate) query.limit = String(options.pageSize);
        if (cont) query.continue = cont;
        const body = await kubeGetJson(kc, path, { query, signal: options.signal });
        if (!isRecord(body) || !Array.isArray(body.items)) throw new KubeRequestError(`GET ${path}: response is not a list`);
        const meta = isRecord(body.metadata) ? body.metadata : {};
        resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
        cont = typeof meta.continue === 'string' ? meta.continue : '';
        for (const raw of body.items as unknown[]) {
          const obj = asKubeObject(raw, kind);
          if (obj) items.push(obj);
          else options.logger.warn({ path }, 'ignoring a list item without metadata.name');
        }
      } while (cont !== '');
    } catch (err) {
      // A continue token can expire mid-list (410): start over without pagination.
      if (paginate && cont !== '' && statusCodeOf(err) === 410) {
        options.logger.info({ path }, 'list continue token expired; listing again without pagination');
        paginate = false;
        continue;
      }
      throw err;
    }
    if (resourceVersion === '') throw new KubeRequestError(`GET ${path}: list has no metadata.resourceVersion`);
    return { items, resourceVersion };
  }
}
