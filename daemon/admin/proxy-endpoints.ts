// The HTTP endpoints every Ambit proxy process serves (node daemon and waypoint):
// admin on 127.0.0.1:15000 (/config_dump, /logging, /quitquitquit), /metrics on 15020,
// /healthz/ready on 15021, and optionally all of them on one UNIX socket.
import type { Registry } from 'prom-client';
import type { Logger } from '../../api/log.js';
import { PORTS } from '../../api/model.js';
import { json, startHttpServer, type ListenAt, type Route, type StartedServer } from './http-server.js';

export interface ProxyEndpointsOptions {
  configDump: () => unknown;
  /** Loggers whose level /logging?level= changes (the first one's level is reported). */
  loggers: [Logger, ...Logger[]];
  /** /quitquitquit: called after the response is sent. */
  quit: () => void;
  registry: Registry;
  ready: () => boolean;
  /** 0 = any free port, -1 = off; defaults: 15000, 15020, 15021. */
  adminPort?: number;
  metricsPort?: number;
  readinessPort?: number;
  adminHost?: string;
  metricsHost?: string;
  adminSocket?: string;
}

export interface ProxyEndpoints {
  servers: StartedServer[];
  ports: { admin?: number; metrics?: number; readiness?: number };
}

export async function startProxyEndpoints(o: ProxyEndpointsOptions): Promise<ProxyEndpoints> {
  const admin: Record<string, Route> = {
    '/config_dump': () => Promise.resolve(json(o.configDump())),
    '/logging': (_req, url) => {
      const level = url.searchParams.get('level');
      if (level) for (const l of o.loggers) l.level = level;
      return Promise.resolve({ status: 200, body: `level: ${o.loggers[0].level}\n` });
    },
    '/quitquitquit': () => {
      setImmediate(o.quit);
      return Promise.resolve({ status: 200, body: 'OK\n' });
    },
  };
  const metrics: Record<string, Route> = {
    '/metrics': async () => ({ status: 200, type: o.registry.contentType, body: await o.registry.metrics() }),
  };
  const readiness: Record<string, Route> = {
    '/healthz/ready': () => Promise.resolve(o.ready() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' }),
  };
  const out: ProxyEndpoints = { servers: [], ports: {} };
  const listen = async (where: ListenAt, routes: Record<string, Route>): Promise<number> => {
    const s = await startHttpServer(where, routes);
    out.servers.push(s);
    return s.port;
  };
  const adminPort = o.adminPort ?? PORTS.admin;
  if (adminPort >= 0) out.ports.admin = await listen({ host: o.adminHost ?? '127.0.0.1', port: adminPort }, admin);
  const metricsPort = o.metricsPort ?? PORTS.metrics;
  if (metricsPort >= 0) out.ports.metrics = await listen({ host: o.metricsHost ?? '0.0.0.0', port: metricsPort }, metrics);
  const readinessPort = o.readinessPort ?? PORTS.readiness;
  if (readinessPort >= 0) out.ports.readiness = await listen({ host: o.metricsHost ?? '0.0.0.0', port: readinessPort }, readiness);
  if (o.adminSocket) await listen({ path: o.adminSocket }, { ...admin, ...metrics, ...readiness });
  return out;
}
