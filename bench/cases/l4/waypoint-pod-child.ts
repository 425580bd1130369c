// Child-process entry: the keeper of the waypoint pod (B6), forked into that pod's network
// namespace. It starts `ambit waypoint run` there (node itself, no launcher in between:
// the pid /proc figures are read from is the waypoint's), waits for its readiness on the
// pod's 15021, reads its admin endpoints on the pod's loopback (admin 127.0.0.1:15000,
// metrics 15020: the case process, in the host netns, cannot reach them), and keeps the
// nginx baseline (Debian package `nginx`) in the same netns. Everything it started is
// stopped when it is stopped, and when the case process goes away.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveRpc } from '../../lib/ipc-rpc.js';
import type { NginxStarted, WaypointPodApi, WaypointStats } from './messages.js';
import { nginxConfig } from './nginx-config.js';
import { counterSum, requestsByCode } from './prom-text.js';

const ADMIN = 'http://127.0.0.1:15000';
const METRICS = 'http://127.0.0.1:15020';
const READY = 'http://127.0.0.1:15021/healthz/ready';
const STOP_GRACE_MS = 20_000;
const NGINX_READY_MS = 10_000;

let waypoint: { proc: ChildProcess; logFile: string } | undefined;
let nginx: ChildProcess | undefined;
let nginxDir: string | undefined;

const exited = (p: ChildProcess): boolean => p.exitCode !== null || p.signalCode !== null;

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: r.status, body: await r.text() };
}

async function startWaypoint(argv: string[], logFile: string, env: Record<string, string>, timeoutMs: number): Promise<{ pid: number }> {
  if (waypoint) throw new Error('the waypoint is already running');
  const fd = openSync(logFile, 'a');
  let proc: ChildProcess;
  try {
    const [cmd, ...args] = argv;
    proc = spawn(cmd!, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    proc.on('error', () => { /* seen as an exit below */ });
  } finally {
    closeSync(fd);
  }
  waypoint = { proc, logFile };
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (exited(proc)) throw new Error(`the waypoint exited (${proc.exitCode ?? proc.signalCode}):\n${tail(logFile)}`);
    try {
      const r = await get(READY);
      if (r.status === 200) return { pid: proc.pid ?? -1 };
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`the waypoint was not ready within ${timeoutMs / 1000} s (last: ${last}):\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The parts of the waypoint's /config_dump (waypoint/waypoint.ts configDump) read here. */
interface Dump {
  ready?: boolean;
  upstreams?: string[];
  hbone?: {
    pool?: { connections?: number; streams?: number; handshakes?: number };
    server?: { connections?: number; streams?: number; accepted?: number };
  };
}

async function waypointStats(): Promise<WaypointStats> {
  const [dump, metrics] = await Promise.all([get(`${ADMIN}/config_dump`), get(`${METRICS}/metrics`)]);
  if (dump.status !== 200) throw new Error(`waypoint /config_dump: HTTP ${dump.status}`);
  if (metrics.status !== 200) throw new Error(`waypoint /metrics: HTTP ${metrics.status}`);
  const d = JSON.parse(dump.body) as Dump; // read field by field below
  const pool = d.hbone?.pool ?? {};
  const server = d.hbone?.server ?? {};
  return {
    ready: d.ready === true,
    hbone: {
      pool: { connections: pool.connections ?? Number.NaN, streams: pool.streams ?? Number.NaN, handshakes: pool.handshakes ?? Number.NaN },
      server: { connections: server.connections ?? Number.NaN, streams: server.streams ?? Number.NaN, accepted: server.accepted ?? Number.NaN },
    },
    upstreams: d.upstreams ?? [],
    requests: requestsByCode(metrics.body),
    tcpOpened: counterSum(metrics.body, 'istio_tcp_connections_opened_total'),
  };
}

function nginxVersion(): { version: string } | { reason: string } {
  const r = spawnSync('nginx', ['-v'], { encoding: 'utf8', timeout: 10_000 }); // prints to stderr
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'nginx is not installed (Debian package nginx)' : `nginx -v failed: ${r.error.message}` };
  }
  if (r.status !== 0) return { reason: `nginx -v failed: ${r.stderr.trim()}` };
  return { version: (r.stderr || r.stdout).trim() };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function startNginx(listen: { host: string; port: number }, upstream: { host: string; port: number }, accessLog: boolean): Promise<NginxStarted> {
  if (nginx) throw new Error('nginx is already running');
  const v = nginxVersion();
  if ('reason' in v) return { available: false, reason: v.reason };
  nginxDir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-nginx-'));
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(nginxDir, d));
  const config = nginxConfig({ listen, upstream, dir: nginxDir, accessLog });
  const file = path.join(nginxDir, 'nginx.conf');
  writeFileSync(file, config);
  const proc = spawn('nginx', ['-c', file, '-p', nginxDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx = proc;
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-2000); });
  proc.on('error', (err) => { stderr += err.message; });
  const deadline = Date.now() + NGINX_READY_MS;
  while (!(await accepts(listen.host, listen.port))) {
    if (exited(proc)) return { available: false, reason: `nginx exited at start: ${stderr.trim() || tail(path.join(nginxDir, 'error.log'))}` };
    if (Date.now() > deadline) return { available: false, reason: `nginx not listening on ${listen.host}:${listen.port} within ${NGINX_READY_MS} ms: ${stderr}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { available: true, version: v.version, pid: proc.pid ?? -1, frontend: listen, config };
}

function stop(p: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!p || exited(p)) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => p.kill('SIGKILL'), STOP_GRACE_MS);
    p.once('exit', () => { clearTimeout(killer); resolve(); });
    p.kill(signal);
  });
}

serveRpc<WaypointPodApi>({
  startWaypoint: ({ argv, logFile, env, timeoutMs }) => startWaypoint(argv, logFile, env, timeoutMs),
  waypointStats,
  startNginx: ({ listen, upstream, accessLog }) => startNginx(listen, upstream, accessLog),
}, async () => {
  await Promise.all([stop(waypoint?.proc, 'SIGTERM'), stop(nginx, 'SIGTERM')]);
  if (nginxDir) rmSync(nginxDir, { recursive: true, force: true });
});
