// `ambit analyze` as a user runs it: one stdout line per finding, exit 1 on errors, 0 otherwise.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const ambit = path.join(root, 'bin/ambit');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ambit, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the examples analyze clean (exit 0)', (t) => {
  const r = run('analyze', '-f', path.join(root, 'examples'));
  t.is(r.code, 0, r.stdout + r.stderr);
  t.false(/ERROR/.test(r.stdout));
});

test('invalid resources: one line each naming kind, name, field path and reason; exit 1; valid ones unaffected', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-analyze-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'mixed.yaml'), `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-nothing, namespace: default}
spec:
  action: DENY
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: bad-port, namespace: default}
spec:
  selector: {matchLabels: {app: httpbin}}
  portLevelMtls:
    "70000": {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: fine, namespace: default}
spec:
  rules: [{from: [{source: {principals: ["cluster.local/ns/default/sa/sleep"]}}]}]
`);
  const r = run('analyze', '-f', dir);
  t.is(r.code, 1);
  const errors = r.stdout.split('\n').filter((l) => l.includes('ERROR'));
  t.is(errors.length, 2, r.stdout);
  t.regex(errors[0] ?? '', /mixed\.yaml: ERROR AuthorizationPolicy default\/deny-nothing: spec\S*: /);
  t.regex(errors[1] ?? '', /ERROR PeerAuthentication default\/bad-port: spec\.portLevelMtls\S*: /);
  t.false(r.stdout.includes('default/fine'));
});

test('no paths is a usage error (exit 2)', (t) => {
  t.is(run('analyze').code, 2);
});
