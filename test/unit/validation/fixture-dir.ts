// Locates the validation fixtures in the source tree (tests run from dist/).
import { fileURLToPath } from 'node:url';

/** test/fixtures/validation/<sub> resolved from dist/test/unit/validation/. */
export function fixtureDir(sub: 'valid' | 'invalid'): string {
  return fileURLToPath(new URL(`../../../../test/fixtures/validation/${sub}/`, import.meta.url));
}
