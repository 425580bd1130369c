// Who is calling the controller: a node daemon, identified by its node name, or (in
// Kubernetes) one workload with its own service-account token, such as a waypoint pod.
import type * as grpc from '@grpc/grpc-js';
import { AmbitError } from '../../api/errors.js';

export interface CallerIdentity {
  /**
   * The node the caller runs on: a bootstrap token's node, or the node-name claim of a
   * bound service-account token. A discovery stream must name this node.
   */
  node: string;
  /**
   * Set when the caller authenticated as one service account rather than as a node
   * daemon: the CA gives it that service account's identity and nothing else.
   */
  serviceAccount?: { namespace: string; name: string };
  /** The pod a bound token belongs to, when the token says (for logs). */
  pod?: { name: string; uid?: string };
}

export interface Authenticator {
  /** Resolves the caller for a bearer token; throws AmbitError AMBIT_ERR_UNAUTHENTICATED otherwise. */
  authenticate(token: string): Promise<CallerIdentity>;
}

/** Reads `authorization: Bearer <token>` from gRPC metadata. */
export function bearerToken(metadata: grpc.Metadata): string {
  const value = metadata.get('authorization')[0];
  const text = typeof value === 'string' ? value : value?.toString('utf8') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(text);
  if (!m) throw new AmbitError('AMBIT_ERR_UNAUTHENTICATED', 'missing bearer token');
  return m[1]!;
}

export async function authenticateCall(auth: Authenticator, metadata: grpc.Metadata): Promise<CallerIdentity> {
  return auth.authenticate(bearerToken(metadata));
}
