// Local-mode daemon credentials: one random bootstrap token per node, kept as
// <dir>/<node>.token (mode 0600). The controller creates them; each daemon reads its own.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { AmbitError } from '../../api/errors.js';
import type { Authenticator, CallerIdentity } from './authenticator.js';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function tokenFile(dir: string, node: string): string {
  if (!NODE_NAME.test(node)) throw new AmbitError('AMBIT_ERR_CONFIG', `invalid node name ${JSON.stringify(node)}`);
  return path.join(dir, `${node}.token`);
}

/** Creates the node's token file if missing; returns the token. */
export function ensureNodeToken(dir: string, node: string): string {
  const file = tokenFile(dir, node);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export class BootstrapTokenAuthenticator implements Authenticator {
  constructor(private readonly dir: string) {}

  authenticate(token: string): Promise<CallerIdentity> {
    const given = Buffer.from(token);
    for (const name of existsSync(this.dir) ? readdirSync(this.dir) : []) {
      if (!name.endsWith('.token')) continue;
      const expected = Buffer.from(readFileSync(path.join(this.dir, name), 'utf8').trim());
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        return Promise.resolve({ node: name.slice(0, -'.token'.length) });
      }
    }
    return Promise.reject(new AmbitError('AMBIT_ERR_UNAUTHENTICATED', 'unknown bootstrap token'));
  }
}
