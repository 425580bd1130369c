// Model resources ⇄ protobuf Resource messages of the discovery stream.
import type { ModelResource, ResourceKind } from '../../api/model.js';
import type { Resource } from '../../api/generated/ambit/v1/Resource.js';
import type { Resource__Output } from '../../api/generated/ambit/v1/Resource.js';
import type { ResourceRef } from '../../api/generated/ambit/v1/ResourceRef.js';

export function encodeResource(r: ModelResource): Resource {
  switch (r.kind) {
    case 'WORKLOAD': return { name: r.name, workload: r.value };
    case 'SERVICE': return { name: r.name, service: r.value };
    case 'AUTHORIZATION': return { name: r.name, authorization: r.value };
    case 'MESH_CONFIG': return { name: r.name, meshConfig: r.value };
    case 'L7_CONFIG': return { name: r.name, l7Config: r.value };
  }
}

/** Decodes a received Resource; undefined when it carries no known payload. */
export function decodeResource(r: Resource__Output): ModelResource | undefined {
  if (r.workload) return { kind: 'WORKLOAD', name: r.name, value: r.workload };
  if (r.service) return { kind: 'SERVICE', name: r.name, value: r.service };
  if (r.authorization) return { kind: 'AUTHORIZATION', name: r.name, value: r.authorization };
  if (r.meshConfig) return { kind: 'MESH_CONFIG', name: r.name, value: r.meshConfig };
  if (r.l7Config) return { kind: 'L7_CONFIG', name: r.name, value: r.l7Config };
  return undefined;
}

export function ref(kind: ResourceKind, name: string): ResourceRef {
  return { kind, name };
}
