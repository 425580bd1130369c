// A tiny HTTP server helper for the admin, metrics and readiness endpoints.
import http from 'node:http';

export type Route = (req: http.IncomingMessage, url: URL) => Promise<{ status: number; type?: string; body: string }>;

export interface StartedServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(host: string, port: number, routes: Record<string, Route>): Promise<StartedServer> {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export function json(body: unknown, status = 200): { status: number; type: string; body: string } {
  return { status, type: 'application/json', body: `${JSON.stringify(body, null, 2)}\n` };
}
