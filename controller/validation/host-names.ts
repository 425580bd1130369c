// Resolution of the short host names used in VirtualService / DestinationRule hosts
// (a bare name resolves against the resource's namespace, reference rules 54 and 81).

export const DOMAIN_SUFFIX = 'cluster.local';

export function resolveHost(host: string, namespace: string): string {
  if (host.includes('.') || host.startsWith('*')) return host.toLowerCase();
  return `${host}.${namespace}.svc.${DOMAIN_SUFFIX}`.toLowerCase();
}
