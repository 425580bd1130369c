// `ambit demo` (what `make demo` runs): the real controller on examples/, two node
// daemons' discovery clients, and the node-scoped CA.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

test('the demo shows workloads, services, policies, and per-node discovery and certificates', (t) => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/ambit'), 'demo', path.join(root, 'examples')], { encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  const out = r.stdout;
  t.regex(out, /spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin\s+HBONE\s+httpbin:8000->8080/);
  t.regex(out, /legacy\s+sleep-\S+\s+10\.244\.\d+\.\d+\s+node-\d\s+\S+\s+no\b/, 'the legacy pod is outside the mesh');
  t.regex(out, /default\/httpbin\s+WORKLOAD_SELECTOR\s+ALLOW/);
  t.regex(out, /istio-system\/istio_converted_static_strict\s+WORKLOAD_SELECTOR\s+DENY/);
  const nodeLines = out.split('\n').filter((l) => /^node-\d\s+v\d+/.test(l));
  t.is(nodeLines.length, 2);
  for (const line of nodeLines) {
    t.regex(line, /\(chain of 2\)/, 'each node got certificates for its own identities');
    t.regex(line, /refused \(PERMISSION_DENIED\)/, 'and was refused another node\'s identity');
  }
});
