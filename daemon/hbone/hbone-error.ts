// The typed error of the HBONE transport: an AmbitError with, for answered CONNECTs,
// the HTTP status the server gave.
import { AmbitError, type ErrorCode } from '../../api/errors.js';

export class HboneError extends AmbitError {
  /** The CONNECT response status (AMBIT_ERR_HBONE_REJECTED only). */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HboneError';
    this.status = options?.status;
  }
}

/** The `code` property of any thrown value ('' when none), e.g. ECONNRESET, ERR_SSL_…, ERR_HTTP2_…. */
export function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
}

export function isHboneError(err: unknown, code?: ErrorCode): err is HboneError {
  return err instanceof HboneError && (code === undefined || err.code === code);
}
