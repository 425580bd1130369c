// Mesh-wide settings (Istio MeshConfig subset) that shape the translation.
import type { MeshConfig } from '../../api/model.js';
import { DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from '../../api/model.js';

export type MeshSettings = Readonly<MeshConfig>;

export function defaultMesh(overrides: Partial<MeshConfig> = {}): MeshSettings {
  return Object.freeze({
    trustDomain: DEFAULT_TRUST_DOMAIN,
    rootNamespace: DEFAULT_ROOT_NAMESPACE,
    outboundTrafficPolicy: 'ALLOW_ANY',
    ...overrides,
  });
}
