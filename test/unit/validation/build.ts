// Small builders for validation tests.
import type { KubeObject } from '../../../controller/config/resource.js';
import type { Finding } from '../../../controller/validation/finding.js';

export function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, spec?: unknown, extra: Record<string, unknown> = {}): KubeObject {
  const o: KubeObject = { apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace }, ...extra };
  if (spec !== undefined) o.spec = spec as Record<string, unknown>;
  return o;
}

export function authz(spec: unknown, name = 'p', namespace = 'foo'): KubeObject {
  return obj('security.istio.io/v1', 'AuthorizationPolicy', name, namespace, spec);
}

export function errors(findings: Finding[]): string[] {
  return findings.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`);
}

export function warnings(findings: Finding[]): string[] {
  return findings.filter((f) => f.severity === 'warning').map((f) => `${f.path}: ${f.message}`);
}
