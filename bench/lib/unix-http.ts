// GET over a UNIX socket (a node daemon's --admin-socket): status and body, bounded in time.
import http from 'node:http';

export interface UnixResponse { status: number; body: string }

export function unixGet(socketPath: string, urlPath: string, timeoutMs = 5000): Promise<UnixResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath} on ${socketPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
