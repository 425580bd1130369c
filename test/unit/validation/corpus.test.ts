// The validation corpus: every invalid fixture yields an error at the expected field path
// with the expected message; every valid fixture (Istio docs examples) yields no error.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzePaths } from '../../../controller/validation/analyze.js';
import { formatFinding } from '../../../controller/validation/finding.js';
import { fixtureDir } from './fixture-dir.js';

interface Expectation {
  path: string;
  message: string;
  rule: string;
}

function header(text: string, key: string): string | undefined {
  const m = new RegExp(`^# ${key}: (.+)$`, 'm').exec(text);
  return m?.[1]?.trim();
}

function expectationOf(file: string): Expectation {
  const text = readFileSync(file, 'utf8');
  const e = { path: header(text, 'expect-path'), message: header(text, 'expect'), rule: header(text, 'rule') };
  if (e.path === undefined || e.message === undefined || e.rule === undefined) throw new Error(`${file}: missing # expect-path / # expect / # rule header`);
  return { path: e.path, message: e.message, rule: e.rule };
}

const invalidDir = fixtureDir('invalid');
const validDir = fixtureDir('valid');
const invalidFiles = readdirSync(invalidDir).filter((f) => f.endsWith('.yaml')).sort();
const validFiles = readdirSync(validDir).filter((f) => f.endsWith('.yaml')).sort();

test('the corpus is large enough', (t) => {
  t.true(invalidFiles.length >= 45, `${invalidFiles.length} invalid fixtures`);
  t.true(validFiles.length >= 15, `${validFiles.length} valid fixtures`);
});

for (const file of invalidFiles) {
  test(`invalid: ${file}`, async (t) => {
    const full = path.join(invalidDir, file);
    const want = expectationOf(full);
    const findings = await analyzePaths([full]);
    const errors = findings.filter((f) => f.severity === 'error');
    const shown = findings.map(formatFinding).join('\n');
    t.true(errors.length >= 1, `no error for ${file}:\n${shown}`);
    t.true(
      errors.some((f) => f.path === want.path && f.message.includes(want.message)),
      `expected an error at ${want.path} containing "${want.message}" (${want.rule}); got:\n${shown}`,
    );
    t.true(findings.every((f) => f.file === full), 'every finding names its file');
  });
}

for (const file of validFiles) {
  test(`valid: ${file}`, async (t) => {
    const full = path.join(validDir, file);
    const findings = await analyzePaths([full]);
    const errors = findings.filter((f) => f.severity === 'error');
    t.deepEqual(errors.map(formatFinding), []);
  });
}

test('each invalid fixture holds exactly one resource', (t) => {
  for (const file of invalidFiles) {
    const docs = readFileSync(path.join(invalidDir, file), 'utf8').split(/^---$/m).filter((d) => /^kind:/m.test(d));
    t.is(docs.length, 1, file);
  }
});

test('the whole valid directory analyzes without errors, as one input', async (t) => {
  const findings = await analyzePaths([validDir]);
  t.deepEqual(findings.filter((f) => f.severity === 'error').map(formatFinding), []);
});
