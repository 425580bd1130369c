// gRPC refusals from the controller's CA as typed errors: the CA's own codes where the
// status says which refusal it was, AMBIT_ERR_CERT_FETCH for everything else.
import * as grpc from '@grpc/grpc-js';
import { AmbitError, isAmbitError, type ErrorCode } from '../../api/errors.js';

const BY_STATUS: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.PERMISSION_DENIED]: 'AMBIT_ERR_CA_NOT_AUTHORIZED',
  [grpc.status.UNAUTHENTICATED]: 'AMBIT_ERR_UNAUTHENTICATED',
  [grpc.status.INVALID_ARGUMENT]: 'AMBIT_ERR_CSR_INVALID',
};

export function caError(err: unknown, spiffeId: string): AmbitError {
  if (isAmbitError(err)) return err;
  const status = grpcStatusOf(err);
  let code: ErrorCode = (status === undefined ? undefined : BY_STATUS[status]) ?? 'AMBIT_ERR_CERT_FETCH';
  const details = (err as { details?: unknown }).details;
  const reason = typeof details === 'string' && details !== '' ? details : err instanceof Error ? err.message : String(err);
  // The CA answers INVALID_ARGUMENT for a bad lifetime too; its message says so.
  if (code === 'AMBIT_ERR_CSR_INVALID' && /lifetime/.test(reason)) code = 'AMBIT_ERR_CA_TTL';
  const statusName = status === undefined ? '' : ` (${grpc.status[status]})`;
  return new AmbitError(code, `the CA did not issue ${spiffeId}${statusName}: ${reason}`, { cause: err });
}

function grpcStatusOf(err: unknown): grpc.status | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  return typeof code === 'number' && code in grpc.status ? code : undefined;
}
