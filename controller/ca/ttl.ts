// Certificate lifetime requested by a caller: 0/absent = default, bounded above.
import { AmbitError } from '../../api/errors.js';

export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
export const MAX_TTL_SECONDS = 90 * 24 * 60 * 60;

export function resolveTtlSeconds(requested: number | undefined): number {
  if (requested === undefined || requested === 0) return DEFAULT_TTL_SECONDS;
  if (!Number.isSafeInteger(requested) || requested < 0) {
    throw new AmbitError('AMBIT_ERR_CA_TTL', `certificate lifetime ${requested} s is not a positive whole number of seconds`);
  }
  if (requested > MAX_TTL_SECONDS) {
    throw new AmbitError('AMBIT_ERR_CA_TTL',
      `certificate lifetime ${requested} s exceeds the maximum of ${MAX_TTL_SECONDS} s (90 days)`);
  }
  return requested;
}
