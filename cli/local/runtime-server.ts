// The runtime's HTTP API on a UNIX socket (routes in runtime-api.ts). Only root can
// reach it (the socket is 0600 in a 0700 state dir).
import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import { isAmbitError } from '../../api/errors.js';
import type { Logger } from '../../api/log.js';
import { isRecord } from '../../controller/config/resource.js';
import type { ApplyRequest, LabelRequest, RuntimeService } from './runtime-api.js';

const MAX_BODY = 64 * 1024 * 1024;

export interface RuntimeServer {
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on('error', reject);
  });
}

/** {object: {apiVersion, kind, metadata: {name}}, file}: what load-yaml.ts produces. */
function isLoadedObject(v: unknown): boolean {
  if (!isRecord(v) || typeof v.file !== 'string' || !isRecord(v.object)) return false;
  const o = v.object;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && isRecord(o.metadata) && typeof o.metadata.name === 'string' && o.metadata.name !== ''
    && (o.metadata.namespace === undefined || typeof o.metadata.namespace === 'string');
}

function isApplyRequest(v: unknown): v is ApplyRequest {
  return isRecord(v) && Array.isArray(v.objects) && v.objects.every(isLoadedObject);
}

function isLabelRequest(v: unknown): v is LabelRequest {
  const r = v as LabelRequest;
  return typeof v === 'object' && v !== null && (r.kind === 'ns' || r.kind === 'pod' || r.kind === 'svc') && typeof r.name === 'string' && typeof r.edit === 'object' && r.edit !== null;
}

/** Serves the API on `socketPath`; `onStopped` runs after a POST /stop has been answered. */
export async function startRuntimeServer(runtime: RuntimeService, socketPath: string, log: Logger, onStopped: () => void): Promise<RuntimeServer> {
  const route = async (method: string, path: string, req: http.IncomingMessage, query: URLSearchParams): Promise<unknown> => {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /status': return runtime.status();
      case 'GET /nodes': return runtime.nodeInfos();
      case 'GET /pods': return runtime.podInfos();
      case 'GET /services': return runtime.serviceInfos();
      case 'GET /workloads': return runtime.workloadInfos();
      case 'GET /objects': return runtime.objectsOf(query.getAll('kind'));
      case 'POST /apply':
      case 'POST /delete': {
        const body = await readBody(req);
        if (!isApplyRequest(body)) throw Object.assign(new Error('expected {"objects": [{"object": {apiVersion, kind, metadata: {name}}, "file"}]}'), { status: 400 });
        return path === '/apply' ? runtime.apply(body) : runtime.delete(body);
      }
      case 'POST /label': {
        const body = await readBody(req);
        if (!isLabelRequest(body)) throw Object.assign(new Error('expected {"kind": "ns"|"pod"|"svc", "name", "namespace", "edit"}'), { status: 400 });
        return runtime.label(body);
      }
      case 'POST /stop':
        await runtime.stop();
        return { stopped: true };
      default:
        throw Object.assign(new Error(`no route ${key}`), { status: 404 });
    }
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://runtime');
    const path = url.pathname;
    route(method, path, req, url.searchParams).then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`, () => {
        if (method === 'POST' && path === '/stop') onStopped();
      });
    }, (err: unknown) => {
      const status = (err as { status?: number }).status ?? (isAmbitError(err) ? 400 : 500);
      const code = isAmbitError(err) ? err.code : status < 500 ? 'AMBIT_ERR_CONFIG' : 'AMBIT_ERR_LOCAL_RUNTIME';
      const message = err instanceof Error ? err.message : String(err);
      if (status >= 500) log.error({ route: `${method} ${path}`, err: message }, 'runtime API request failed');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ code, message })}\n`);
    });
  });
  server.requestTimeout = 0; // apply waits for daemons and pods
  server.headersTimeout = 60_000;
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return {
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      rmSync(socketPath, { force: true });
    }),
  };
}
