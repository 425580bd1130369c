// Child-process entry: the destination pod's servers, on 127.0.0.1 ports the fabric
// maps the pod's virtual address to (loopback mesh), or on the pod's own fixed ports
// inside its network namespace (netns topology). http: HTTP/1.1 keep-alive, every request answered
// with a fixed body (B1/B2). bulk: "UP n" / "DOWN n" single streams (B3). echo: reads
// "ping", answers "pong" and closes first (B4).
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { serveRpc } from '../../lib/ipc-rpc.js';
import type { PodsApi } from './messages.js';

const servers: net.Server[] = [];
const BULK_CHUNK = Buffer.alloc(256 * 1024, 0xa5);
const MAX_HEADER = 64;

function listen(server: net.Server, host: string, port: number): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function httpServer(bodyBytes: number): http.Server {
  const body = Buffer.alloc(bodyBytes, 0x61);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 300_000; // connections idle between runs must stay open
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  return server;
}

function sendBytes(sock: net.Socket, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, BULK_CHUNK.length);
      left -= n;
      const last = left === 0;
      const ok = sock.write(n === BULK_CHUNK.length ? BULK_CHUNK : BULK_CHUNK.subarray(0, n));
      if (last) {
        sock.end();
        return;
      }
      if (!ok) {
        sock.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function bulkServer(): net.Server {
  return net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => sock.destroy());
    let header = '';
    let expected = -1;
    let received = 0;
    sock.on('data', (chunk: Buffer) => {
      if (expected >= 0) {
        received += chunk.length;
        if (received >= expected && !sock.writableEnded) sock.end('OK\n');
        return;
      }
      header += chunk.toString('latin1');
      const nl = header.indexOf('\n');
      if (nl < 0) {
        if (header.length > MAX_HEADER) sock.destroy();
        return;
      }
      const [verb, size] = header.slice(0, nl).split(' ');
      const n = Number(size);
      if (!Number.isSafeInteger(n) || n < 0) return void sock.end('ERR size\n');
      if (verb === 'DOWN') return sendBytes(sock, n);
      if (verb !== 'UP') return void sock.end('ERR verb\n');
      expected = n;
      received = Buffer.byteLength(header, 'latin1') - nl - 1;
      if (received >= expected) sock.end('OK\n');
    });
  });
}

function echoServer(): net.Server {
  return net.createServer((sock) => {
    sock.on('error', () => sock.destroy());
    sock.once('data', () => sock.end('pong\n'));
  });
}

serveRpc<PodsApi>({
  async start({ httpBodyBytes, host = '127.0.0.1', ports }) {
    const [httpPort, bulk, echo] = await Promise.all([
      listen(httpServer(httpBodyBytes), host, ports?.http ?? 0), listen(bulkServer(), host, ports?.bulk ?? 0), listen(echoServer(), host, ports?.echo ?? 0),
    ]);
    return { http: httpPort, bulk, echo };
  },
  table() { /* the pods only accept; they need no routes */ },
}, () => {
  // The process exits right after: stop accepting, do not wait for clients.
  for (const s of servers) {
    s.close();
    if (s instanceof http.Server) s.closeAllConnections();
  }
});
