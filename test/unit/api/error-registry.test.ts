// The error-code registry, its documentation and the codes used in the sources agree.
import test from 'ava';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, AmbitError, isAmbitError } from '../../../api/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

test('every registered code is documented in docs/errors.md, and nothing else is', (t) => {
  const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/`(AMBIT_ERR_[A-Z_]+)`/g)].map((m) => m[1]));
  t.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test('every code used in the sources is registered', (t) => {
  const used = new Set<string>();
  for (const dir of ['api', 'controller', 'daemon', 'cli']) {
    for (const file of sources(path.join(root, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'(AMBIT_ERR_[A-Z_]+)'/g)) used.add(m[1]!);
    }
  }
  const unknown = [...used].filter((c) => !(c in ERROR_CODES));
  t.deepEqual(unknown, []);
});

test('AmbitError carries its code and is recognised by isAmbitError', (t) => {
  const err = new AmbitError('AMBIT_ERR_CONFIG', 'bad flag');
  t.true(isAmbitError(err));
  t.true(isAmbitError(err, 'AMBIT_ERR_CONFIG'));
  t.false(isAmbitError(err, 'AMBIT_ERR_CA_TTL'));
  t.false(isAmbitError(new Error('plain')));
});
