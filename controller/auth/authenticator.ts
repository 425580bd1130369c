// Who is calling the controller: a node daemon, identified by its node name.
import type * as grpc from '@grpc/grpc-js';
import { AmbitError } from '../../api/errors.js';

export interface CallerIdentity {
  node: string;
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
