// SPIFFE identities: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.

export interface Identity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

export function spiffeUri(id: Identity): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Istio's principal form: the SPIFFE URI without the scheme. */
export function principalOf(id: Identity): string {
  return `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

const SPIFFE_RE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function parseSpiffeUri(uri: string): Identity | undefined {
  const m = SPIFFE_RE.exec(uri);
  if (!m) return undefined;
  return { trustDomain: m[1]!, namespace: m[2]!, serviceAccount: m[3]! };
}
