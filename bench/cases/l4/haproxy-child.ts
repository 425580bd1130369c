// Child-process entry: keeps the haproxy mTLS pair (the B1-B4 baseline) alive for the
// case and takes it down with it: certificates and configurations in a temp dir, two
// haproxy processes in the foreground, both killed and the dir removed on stop, and
// also when the case process goes away. When haproxy is missing (Debian package
// `haproxy`) or cannot start, `start` says so and why: the baseline is then unavailable.
// In the netns topology (`placement`) A and B run in the nodes' namespaces (entered with
// `nsenter --net`, which execs haproxy: the pid stays the one /proc figures are read
// from), and this keeper runs in the fabric namespace, from where it sees both.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveRpc } from '../../lib/ipc-rpc.js';
import { haproxyA, haproxyB, type HaproxyRoute } from './haproxy-config.js';
import type { HaproxyApi, HaproxyPlacement, HaproxyStarted } from './messages.js';
import { makeTestCerts } from './test-certs.js';

const READY_TIMEOUT_MS = 10_000;
let dir: string | undefined;
const procs: ChildProcess[] = [];

function haproxyVersion(): { version: string } | { reason: string } {
  try {
    const out = execFileSync('haproxy', ['-v'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { version: out.split('\n')[0]?.trim() ?? 'haproxy' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'haproxy is not installed (Debian package haproxy)' : `haproxy -v failed: ${(err as Error).message}` };
  }
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function run(config: string, name: string, netns: string | undefined): { proc: ChildProcess; stderr: () => string } {
  const file = path.join(dir!, `${name}.cfg`);
  writeFileSync(file, config);
  const argv = ['haproxy', '-db', '-f', file];
  const [cmd, ...args] = netns ? ['nsenter', `--net=/run/netns/${netns}`, ...argv] : argv;
  const proc = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(proc);
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-2000); });
  return { proc, stderr: () => stderr };
}

async function start(backends: { name: string; port: number; host?: string }[], placement: HaproxyPlacement | undefined): Promise<HaproxyStarted> {
  const probe = haproxyVersion();
  if ('reason' in probe) return { available: false, reason: probe.reason };
  dir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-haproxy-'));
  let certs;
  try {
    certs = makeTestCerts(dir);
  } catch (err) {
    return { available: false, reason: `openssl could not make the test certificates: ${(err as Error).message}` };
  }
  const ports = placement
    ? backends.flatMap((_, i) => [placement.firstPort.a + i, placement.firstPort.b + i])
    : await freePorts(backends.length * 2);
  const routes: HaproxyRoute[] = backends.map((b, i) => ({
    name: b.name, aPort: ports[2 * i]!, bPort: ports[2 * i + 1]!, appPort: b.port,
    ...(placement ? { aHost: placement.a.host, bHost: placement.b.host } : {}),
    ...(b.host ? { appHost: b.host } : {}),
  }));
  const b = run(haproxyB(routes, certs), 'b', placement?.b.netns);
  const a = run(haproxyA(routes, certs), 'a', placement?.a.netns);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const r of routes) {
    for (const [host, port] of [[r.bHost ?? '127.0.0.1', r.bPort], [r.aHost ?? '127.0.0.1', r.aPort]] as const) {
      while (!(await accepts(host, port))) {
        const dead = [a, b].find((h) => h.proc.exitCode !== null || h.proc.signalCode !== null);
        if (dead) return { available: false, reason: `haproxy exited at start: ${dead.stderr().trim() || 'no output'}` };
        if (Date.now() > deadline) return { available: false, reason: `haproxy not listening on ${port} within ${READY_TIMEOUT_MS} ms: ${a.stderr()} ${b.stderr()}`.trim() };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  return {
    available: true,
    version: probe.version,
    frontends: Object.fromEntries(routes.map((r) => [r.name, r.aPort])),
    frontendHost: placement?.a.host ?? '127.0.0.1',
    pids: { a: a.proc.pid ?? -1, b: b.proc.pid ?? -1 },
  };
}

async function cleanup(): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const killer = setTimeout(() => p.kill('SIGKILL'), 2000);
    p.once('exit', () => { clearTimeout(killer); resolve(); });
    p.kill('SIGTERM');
  })));
  if (dir) rmSync(dir, { recursive: true, force: true });
}

serveRpc<HaproxyApi>({ start: ({ backends, placement }) => start(backends, placement) }, cleanup);
