// The in-process waypoint mesh the waypoint suites share: sleep → node-1 daemon
// (captured, sent to the waypoint because httpbin uses it) → HBONE → the waypoint →
// HBONE → the endpoint's node daemon → httpbin "pods" (loopback HTTP servers that
// answer with what they received and log every request). Real controller, CA,
// certificates and HBONE; the loopback fabric plays the eBPF program's part.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLogger, silentLogger } from '../../../api/log.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { Waypoint } from '../../../waypoint/waypoint.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startMesh, type Mesh } from '../../support/mesh-harness.js';
import { namespace, pod, service } from '../../support/objects.js';

export const WAYPOINT_IP = '10.244.1.7';

export function labelled(o: KubeObject, labels: Record<string, string>): KubeObject {
  return { ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), ...labels } } };
}

export const gateway: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'default' },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
};

export const base: KubeObject[] = [
  namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
  gateway,
  pod('sleep-1', { ip: '10.244.1.5', node: 'node-1', sa: 'sleep', labels: { app: 'sleep' } }),
  pod('httpbin-v1', { ip: '10.244.1.2', node: 'node-1', sa: 'httpbin', labels: { app: 'httpbin', version: 'v1' } }),
  pod('httpbin-v2', { ip: '10.244.2.2', node: 'node-2', sa: 'httpbin', labels: { app: 'httpbin', version: 'v2' } }),
  pod('waypoint-1', {
    ip: WAYPOINT_IP, node: 'node-1', sa: 'waypoint',
    labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' },
  }),
  service('waypoint', { vip: '10.96.0.20', port: 15008, selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } }),
];
export const httpbin = service('httpbin', { vip: '10.96.0.10', port: 8000, targetPort: 8080, selector: { app: 'httpbin' } });
export const withWaypoint = labelled(httpbin, { 'istio.io/use-waypoint': 'waypoint' });

export const destinationRule: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'httpbin', namespace: 'default' },
  spec: { host: 'httpbin', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
};

export function virtualService(http: unknown[]): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'httpbin', namespace: 'default' }, spec: { hosts: ['httpbin'], http } };
}

export interface Seen { pod: string; method: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number }

export const BIG_BYTES = 4 * 1024 * 1024;

/**
 * An HTTP "pod": answers with what it received (the body's length in `bodyBytes`), and
 * logs every request it got in `requests`. `/cookies` sets two cookies; `/big` streams
 * 4 MiB; `/reset` sends half a body and drops the connection; `/status/<code>` answers
 * that status (with what it received); `/delay/<ms>` answers after that long; `/flaky`
 * fails (500) on httpbin-v1 only.
 */
export async function httpApp(mesh: Mesh, ip: string, name: string, requests: Seen[] = []): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => { bodyBytes += c.length; });
    req.on('end', () => {
      requests.push({ pod: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      const delay = /^\/delay\/(\d+)$/.exec(req.url ?? '');
      if (delay) {
        const timer = setTimeout(() => res.end('late'), Number(delay[1]));
        res.once('close', () => clearTimeout(timer));
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': String(BIG_BYTES) });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let sent = 0;
        const more = (): void => {
          while (sent < BIG_BYTES) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      if (req.url === '/reset') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('x'.repeat(500), () => res.socket?.destroy());
        return;
      }
      const body = JSON.stringify({ pod: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes } satisfies Seen);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-app', name);
      if (req.url === '/cookies') res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Expires=Wed, 09 Jun 2027 10:18:14 GMT']);
      const status = /^\/status\/(\d{3})$/.exec(req.url ?? '');
      const flaky = req.url === '/flaky' && name === 'httpbin-v1';
      res.writeHead(flaky ? 500 : status ? Number(status[1]) : 200);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mesh.fabric.serve(ip, 8080, (server.address() as AddressInfo).port);
  return server;
}

export interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

/** An HTTP/1.1 request from the sleep pod to the httpbin VIP (captured like any pod connection). */
export async function get(mesh: Mesh, path: string, headers: Record<string, string> = {}, opts: { method?: string; body?: Buffer } = {}): Promise<Reply> {
  const sock = await mesh.connect('10.244.1.5', '10.96.0.10', 8000);
  return new Promise((resolve, reject) => {
    const req = http.request({ createConnection: () => sock, path, method: opts.method ?? 'GET', headers: { host: 'httpbin:8000', connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Ends a client socket and waits until it is closed. */
export function closed(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (sock.destroyed) return resolve();
    sock.once('close', () => resolve());
    sock.end();
  });
}

export interface Setup {
  mesh: Mesh;
  waypoint: Waypoint;
  accessLog: Record<string, unknown>[];
  /** Every request the httpbin pods received, in order. */
  requests: Seen[];
}

export async function setup(objects: KubeObject[]): Promise<Setup> {
  const mesh = await startMesh(objects);
  const { log: accessLog, lines } = captureLogger();
  let nextPort = 30000;
  const waypoint = new Waypoint({
    namespace: 'default', name: 'waypoint', node: 'node-1',
    controller: { address: mesh.control.address, rootPem: mesh.control.controller.rootCertPem, token: () => mesh.control.token('node-1') },
    // AMBIT_TEST_LOG=debug shows the waypoint's own log when a test needs looking into.
    log: process.env.AMBIT_TEST_LOG ? createLogger('waypoint', process.env.AMBIT_TEST_LOG) : silentLogger(), accessLog, hbone: { host: '127.0.0.1', port: 0 }, adminPort: -1, metricsPort: -1, readinessPort: -1,
    connect: (dst) => mesh.fabric.connect({ ip: WAYPOINT_IP, port: nextPort++ }, dst),
  });
  await waypoint.start();
  await waypoint.synced();
  mesh.fabric.serve(WAYPOINT_IP, 15008, waypoint.ports.hbone!);
  const requests: Seen[] = [];
  const servers = [await httpApp(mesh, '10.244.1.2', 'httpbin-v1', requests), await httpApp(mesh, '10.244.2.2', 'httpbin-v2', requests)];
  const close = mesh.close.bind(mesh);
  mesh.close = async () => {
    await waypoint.stop();
    for (const s of servers) s.close();
    await close();
  };
  return { mesh, waypoint, accessLog: lines, requests };
}

export function seen(r: Reply): Seen {
  return JSON.parse(r.body) as Seen;
}

