// The waypoint's upstream side: one undici pool per endpoint (pod IP + target port and
// protocol), whose connector opens an HBONE stream to the endpoint's node with the
// waypoint's own identity (or plain TCP to a workload outside the mesh). Connections
// are kept and reused by undici; the HBONE pool multiplexes them over shared tunnels.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { Identity } from '../api/identity.js';
import { PORTS, type Workload } from '../api/model.js';
import type { HbonePool } from '../daemon/hbone/index.js';
import type { ConnectSocket } from '../daemon/hbone/dial.js';
import type { WorkloadCertificate } from '../daemon/identity/workload-certificate.js';
import { identityOf } from '../daemon/proxy/outbound-plan.js';

export type UpstreamProtocol = 'http1' | 'http2';

export interface UpstreamEndpoint {
  workload: Workload;
  /** Pod IP and target port. */
  ip: string;
  port: number;
}

export interface UpstreamOptions {
  pool: HbonePool;
  /** The waypoint's identity and a way to get its current certificate. */
  identity: Identity;
  certificate: () => Promise<WorkloadCertificate>;
  /** Idle upstream HTTP connections close after this long (Envoy's default: 1 h). */
  keepAliveTimeoutMs?: number;
  /** Bound on opening one upstream connection (Envoy's default connect timeout: 10 s). */
  connectTimeoutMs?: number;
  /** Opens plain TCP connections (default: net.connect). */
  connect?: ConnectSocket;
}

const DEFAULT_KEEP_ALIVE_MS = 60 * 60 * 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

type ConnectCallback = (err: Error | null, socket: Duplex | null) => void;

export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly opts: UpstreamOptions) {}

  /** The dispatcher for an endpoint (created on first use). */
  dispatcher(ep: UpstreamEndpoint, protocol: UpstreamProtocol): Dispatcher {
    const key = `${protocol}|${ep.ip}:${ep.port}|${ep.workload.uid}`;
    let pool = this.pools.get(key);
    if (!pool) {
      if (this.closed) throw new Error('the upstream pools are closed');
      pool = new Pool(`http://${ep.ip}:${ep.port}`, {
        connect: (_o, cb) => this.open(ep, protocol, cb as ConnectCallback),
        keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
        keepAliveMaxTimeout: this.opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
        // Envoy has no response-header or body timeout unless a route sets one.
        headersTimeout: 0,
        bodyTimeout: 0,
        ...(protocol === 'http2' ? { allowH2: true, useH2c: true } : {}),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Opens one tunnelled (or plain) connection to the endpoint. */
  openStream(ep: UpstreamEndpoint, signal?: AbortSignal): Promise<Duplex> {
    if (ep.workload.tunnelProtocol !== 'HBONE') {
      if (this.opts.connect) return this.opts.connect({ ip: ep.ip, port: ep.port });
      return new Promise((resolve, reject) => {
        const socket = netConnect({ host: ep.ip, port: ep.port, signal });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    }
    const dstIdentity = identityOf(ep.workload);
    return this.opts.certificate().then((cert) => this.opts.pool.connect({
      srcIdentity: this.opts.identity, secureContext: cert.secureContext, dstIdentity,
      dstAddress: { ip: ep.ip, port: PORTS.hbone }, authority: { ip: ep.ip, port: ep.port }, signal,
    }));
  }

  private open(ep: UpstreamEndpoint, protocol: UpstreamProtocol, cb: ConnectCallback): void {
    const signal = AbortSignal.timeout(this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    this.openStream(ep, signal).then((stream) => {
      // undici picks HTTP/2 by the socket's negotiated protocol; h2c has no ALPN, so say it.
      if (protocol === 'http2') Object.assign(stream, { alpnProtocol: 'h2' });
      cb(null, stream);
    }, (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), null));
  }

  /** Endpoints with an open pool (for the config dump). */
  list(): string[] {
    return [...this.pools.keys()];
  }

  /** Closes every pool (their connections end). */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
