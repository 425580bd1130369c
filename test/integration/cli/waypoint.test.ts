// `ambit waypoint` as a user runs it: help and usage of apply and list (exit 0), usage
// errors (exit 2), -o yaml without a cluster, and no cluster (exit 1).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const ambit = path.join(root, 'bin/ambit');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.AMBIT_CLUSTER;
  delete env.AMBIT_STATE_ROOT;
  const r = spawnSync(process.execPath, [ambit, ...args], { encoding: 'utf8', timeout: 30_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const helps: [string[], RegExp][] = [
  [['waypoint', '--help'], /^usage: ambit waypoint <command>[\s\S]*\n {2}apply -n NS[\s\S]*\n {2}list \[-n NS \| -A\][\s\S]*\n {2}run --namespace NS/],
  [['waypoint', 'help'], /^usage: ambit waypoint <command>/],
  [['waypoint', 'apply', '--help'], /^usage: ambit waypoint apply -n NS \[--name waypoint\] \[--for service\|workload\|all\|none\] \[--enroll-namespace\]/],
  [['waypoint', 'apply', '-h'], /^usage: ambit waypoint apply /],
  [['waypoint', 'list', '--help'], /^usage: ambit waypoint list \[-n NS \| -A\][\s\S]*USED-BY/],
  [['waypoint', 'run', '--help'], /^usage: ambit waypoint run --namespace NS --name GATEWAY/],
];

for (const [args, usage] of helps) {
  test(`ambit ${args.join(' ')}: usage on stdout, exit 0`, (t) => {
    const r = run(...args);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, usage);
    t.is(r.stderr, '');
  });
}

test('ambit --help lists the waypoint commands', (t) => {
  const r = run('--help');
  t.is(r.code, 0);
  t.regex(r.stdout, /waypoint apply\|list\|run/);
});

test('ambit waypoint apply -o yaml: the Gateway, no cluster needed', (t) => {
  const r = run('waypoint', 'apply', '-n', 'shop', '--for', 'all', '-o', 'yaml');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    '  name: waypoint',
    '  namespace: shop',
    '  labels:',
    '    istio.io/waypoint-for: all',
    'spec:',
    '  gatewayClassName: istio-waypoint',
    '  listeners:',
    '  - name: mesh',
    '    port: 15008',
    '    protocol: HBONE',
    '',
  ].join('\n'));
});

test('usage errors exit 2 with a hint', (t) => {
  for (const args of [['waypoint', 'apply'], ['waypoint', 'apply', '-n', 'x', '--for', 'pods'], ['waypoint', 'list', '-n', 'a', '-A'], ['waypoint', 'nope']]) {
    const r = run(...args);
    t.is(r.code, 2, args.join(' '));
    t.is(r.stdout, '');
    t.regex(r.stderr, /^ambit waypoint\b/, args.join(' '));
  }
  t.is(run('waypoint').code, 2, 'no command: usage, exit 2');
});

test('no local cluster: exit 1 saying so (or that root is needed)', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-waypoint-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const args of [['waypoint', 'list', '-A'], ['waypoint', 'apply', '-n', 'default']]) {
    const r = run(...args, '--cluster', 'nowp', '--state-root', dir);
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, /AMBIT_ERR_LOCAL_NO_CLUSTER: local cluster "nowp" is not running|needs root/);
  }
});
