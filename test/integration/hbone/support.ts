// Shared by the HBONE integration tests: a real mesh CA in a temp dir, workload
// certificates as TLS contexts, an HBONE server behind a plain 127.0.0.1 listener,
// an echo upstream, and bounded polling.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Identity } from '../../../api/identity.js';
import { silentLogger } from '../../../api/log.js';
import {
  createCertificateAuthority, generateKeyAndCsr, loadCaMaterial, type CertificateAuthority,
} from '../../../controller/ca/index.js';
import { parseCsr } from '../../../controller/ca/csr-parse.js';
import { HboneServer, type HboneServerOptions } from '../../../daemon/hbone/server.js';
import type { HboneInboundRequest } from '../../../daemon/hbone/inbound-request.js';

export const TD = 'cluster.local';
export const LOOPBACK = '127.0.0.1';

export const id = (namespace: string, serviceAccount: string, trustDomain = TD): Identity => ({ trustDomain, namespace, serviceAccount });
export const SLEEP = id('default', 'sleep');
export const HTTPBIN = id('default', 'httpbin');

export interface Credentials {
  keyPem: string;
  chain: string[];
}

export class Mesh {
  readonly ca: CertificateAuthority;
  private readonly dir: string;

  constructor(trustDomain = TD) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'ambit-hbone-'));
    this.ca = createCertificateAuthority(loadCaMaterial({ stateDir: this.dir, trustDomain }), { trustDomain });
  }

  get rootPem(): string {
    return this.ca.rootPem;
  }

  issue(identity: Identity): Credentials {
    const { privateKeyPem, csrPem } = generateKeyAndCsr(identity);
    return { keyPem: privateKeyPem, chain: this.ca.sign(csrPem, identity) };
  }

  /** A certificate with any URI SANs, signed without the CA's trust-domain policy. */
  issueUris(...uris: string[]): Credentials {
    const { privateKeyPem, csrPem } = generateKeyAndCsr(uris[0]!);
    const csr = parseCsr(csrPem);
    const leaf = this.ca.issue({ spkiNode: csr.spkiNode, point: csr.spki.point }, uris.map((uri) => ({ uri })), 3600);
    return { keyPem: privateKeyPem, chain: [leaf, ...this.ca.issuerChainPem] };
  }

  context(identity: Identity, roots: string[] = [this.rootPem]): tls.SecureContext {
    return contextOf(this.issue(identity), roots);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** leaf + intermediates as the certificate, the root(s) as trust anchors, TLS 1.3 only. */
export function contextOf(creds: Credentials, roots: string[], extra: tls.SecureContextOptions = {}): tls.SecureContext {
  return tls.createSecureContext({
    key: creds.keyPem,
    cert: creds.chain.slice(0, -1).join(''),
    ca: roots,
    minVersion: 'TLSv1.3',
    ...extra,
  });
}

export interface ServerHarness {
  hbone: HboneServer;
  port: number;
  /** Local addresses secureContextFor was asked about. */
  asked: string[];
  /** Destroy every accepted TCP connection (a crashed peer), keep listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

type HarnessOptions = Partial<HboneServerOptions> & { onStream: (req: HboneInboundRequest) => void };

/** An HboneServer behind net.createServer on 127.0.0.1 (a stand-in for the transparent listener). */
export async function startServer(mesh: Mesh, serverIdentity: Identity, opts: HarnessOptions): Promise<ServerHarness> {
  const ctx = mesh.context(serverIdentity);
  const asked: string[] = [];
  const hbone = new HboneServer({
    secureContextFor: (local) => {
      asked.push(local);
      return local === LOOPBACK ? ctx : undefined;
    },
    trustDomain: TD,
    log: silentLogger(),
    ...opts,
  });
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    hbone.handleSocket(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, LOOPBACK, resolve));
  const port = (listener.address() as net.AddressInfo).port;
  return {
    hbone,
    port,
    asked,
    dropConnections: () => { for (const s of sockets) s.destroy(); },
    close: async () => {
      await hbone.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Pipe two duplexes both ways; end propagates (half-close), an error or abrupt close destroys both. */
export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const kill = (): void => { a.destroy(); b.destroy(); };
  a.on('error', kill);
  b.on('error', kill);
  a.on('close', () => { if (!a.readableEnded || !a.writableFinished) b.destroy(); });
  b.on('close', () => { if (!b.readableEnded || !b.writableFinished) a.destroy(); });
}

export interface Upstream {
  port: number;
  /** Open upstream connections. */
  open(): number;
  close(): Promise<void>;
}

/** A TCP echo server that honours half-close: it ends its side when the client ends. */
export async function startEcho(): Promise<Upstream> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The proxy's job in miniature: dial the authority, 200 + splice on success, 503 on failure. */
export function dialUpstream(req: HboneInboundRequest): void {
  const upstream = net.connect({ host: req.authority.ip, port: req.authority.port, allowHalfOpen: true });
  upstream.once('connect', () => {
    let downstream: Duplex;
    try {
      downstream = req.accept();
    } catch {
      upstream.destroy();
      return;
    }
    splice(downstream, upstream);
  });
  upstream.once('error', (err) => {
    if (!req.answered) req.reject(503, err.message);
  });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Poll `check` until true; throws after `maxMs` (a bound, not a timing assertion). */
export async function waitFor(check: () => boolean, what: string, maxMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > maxMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Read a stream to its end. */
export async function readAll(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolve with the next `n` bytes from a flowing stream (or reject on close before that). */
export function readBytes(stream: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) {
        cleanup();
        resolve(Buffer.concat(chunks));
      }
    };
    const onClose = (): void => { cleanup(); reject(new Error(`stream closed after ${got} of ${n} bytes`)); };
    const cleanup = (): void => {
      stream.pause();
      stream.off('data', onData);
      stream.off('close', onClose);
      stream.off('end', onClose);
    };
    stream.on('data', onData);
    stream.once('close', onClose);
    stream.once('end', onClose);
    stream.resume();
  });
}

export interface Relay {
  port: number;
  /** Stop forwarding in both directions, silently (a peer that vanished without FIN). */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of `targetPort` that can be frozen to simulate a dead network path. */
export async function startRelay(targetPort: number): Promise<Relay> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, LOOPBACK);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.on('data', (d: Buffer) => { if (!frozen) upstream.write(d); });
    upstream.on('data', (d: Buffer) => { if (!frozen) client.write(d); });
    client.once('end', () => upstream.end());
    upstream.once('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => { frozen = true; },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
