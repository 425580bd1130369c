// Options shared by the validators.

export interface ValidateOptions {
  /** MeshConfig rootNamespace (semantics reference rules 6 and 34). Default "istio-system". */
  rootNamespace?: string;
}

export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

export function rootNamespaceOf(opts: ValidateOptions | undefined): string {
  return opts?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
}
