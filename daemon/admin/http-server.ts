// A tiny HTTP server helper for the admin, metrics and readiness endpoints.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export type Route = (req: http.IncomingMessage, url: URL) => Promise<{ status: number; type?: string; body: string }>;

export interface StartedServer {
  port: number;
  close(): Promise<void>;
}

/** Where to listen: a TCP host and port (0 = any free port), or a UNIX socket path (replaced if stale). */
export type ListenAt = { host: string; port: number } | { path: string };

export async function startHttpServer(at: ListenAt, routes: Record<string, Route>): Promise<StartedServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    route(req, url).then(({ status, type, body }) => {
      res.writeHead(status, { 'content-type': type ?? 'text/plain' });
      res.end(body);
    }, (err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  server.keepAliveTimeout = 1000;
  if ('path' in at) {
    mkdirSync(path.dirname(at.path), { recursive: true });
    rmSync(at.path, { force: true }); // left by a previous run that died
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('path' in at) server.listen(at.path, () => resolve());
    else server.listen(at.port, at.host, () => resolve());
  });
  if ('path' in at) chmodSync(at.path, 0o600);
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export function json(body: unknown, status = 200): { status: number; type: string; body: string } {
  return { status, type: 'application/json', body: `${JSON.stringify(body, null, 2)}\n` };
}
