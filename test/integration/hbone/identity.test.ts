// Who may talk to whom at the TLS layer: the client insists on the expected server
// SPIFFE id; the server insists on a client chain to the roots with one SPIFFE id in
// its trust domain; TLS 1.3 + h2 only; no SNI.
import test from 'ava';
import type net from 'node:net';
import tls from 'node:tls';
import { silentLogger } from '../../../api/log.js';
import { isHboneError } from '../../../daemon/hbone/hbone-error.js';
import { HbonePool, type HboneConnectRequest } from '../../../daemon/hbone/pool.js';
import {
  HTTPBIN, LOOPBACK, Mesh, SLEEP, contextOf, id, readAll, startServer, waitFor, type ServerHarness,
} from './support.js';

const mesh = new Mesh();
const otherMesh = new Mesh('other.domain');
let server: ServerHarness;

test.before(async () => {
  server = await startServer(mesh, HTTPBIN, { onStream: (req) => req.accept().end() });
});
test.after.always(async () => {
  await server.close();
  mesh.cleanup();
  otherMesh.cleanup();
});

function request(secureContext: tls.SecureContext, extra: Partial<HboneConnectRequest> = {}): HboneConnectRequest {
  return {
    srcIdentity: SLEEP, secureContext, dstIdentity: HTTPBIN,
    dstAddress: { ip: LOOPBACK, port: server.port }, authority: { ip: LOOPBACK, port: 80 }, ...extra,
  };
}

async function withPool<T>(fn: (pool: HbonePool) => Promise<T>): Promise<T> {
  const pool = new HbonePool({ log: silentLogger() });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

test.serial('a valid client reaches the server', async (t) => {
  await withPool(async (pool) => {
    const s = await pool.connect(request(mesh.context(SLEEP)));
    s.end();
    await readAll(s);
    t.pass();
  });
});

test.serial('server identity mismatch → refused with AMBIT_ERR_HBONE_IDENTITY_MISMATCH, nothing pooled', async (t) => {
  await withPool(async (pool) => {
    const err = await t.throwsAsync(pool.connect(request(mesh.context(SLEEP), { dstIdentity: id('default', 'reviews') })));
    t.true(isHboneError(err, 'AMBIT_ERR_HBONE_IDENTITY_MISMATCH'), String(err));
    t.regex(err.message, /spiffe:\/\/cluster\.local\/ns\/default\/sa\/httpbin is not the expected spiffe:\/\/cluster\.local\/ns\/default\/sa\/reviews/);
    t.is(pool.stats().connections, 0);
    t.is(pool.stats().handshakeFailures, 1);
  });
});

test.serial('server chain not trusted by the client → TLS error', async (t) => {
  await withPool(async (pool) => {
    const ctx = contextOf(mesh.issue(SLEEP), [otherMesh.rootPem]);
    const err = await t.throwsAsync(pool.connect(request(ctx)));
    t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'), String(err));
  });
});

test.serial('client without a certificate → handshake fails', async (t) => {
  const before = server.hbone.stats().closed.tls_error;
  await withPool(async (pool) => {
    const ctx = tls.createSecureContext({ ca: mesh.rootPem, minVersion: 'TLSv1.3' });
    const err = await t.throwsAsync(pool.connect(request(ctx)));
    t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'), String(err));
  });
  await waitFor(() => server.hbone.stats().closed.tls_error === before + 1, 'server counted the failed handshake');
});

test.serial('client from another trust domain (other CA) → refused', async (t) => {
  const before = server.hbone.stats().closed.untrusted_client;
  await withPool(async (pool) => {
    const foreign = id('default', 'sleep', 'other.domain');
    const ctx = contextOf(otherMesh.issue(foreign), [mesh.rootPem]); // trusts our server, but is not trusted back
    const err = await t.throwsAsync(pool.connect(request(ctx, { srcIdentity: foreign })));
    t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'), String(err));
  });
  await waitFor(() => server.hbone.stats().closed.untrusted_client === before + 1, 'server counted the untrusted client');
});

test.serial('our root, but a foreign-trust-domain SPIFFE id, no SPIFFE id or two of them → refused', async (t) => {
  const before = server.hbone.stats().closed.client_identity;
  const certs = [
    mesh.issueUris('spiffe://other.domain/ns/default/sa/sleep'),
    mesh.issueUris('https://example.com/sleep'),
    mesh.issueUris('spiffe://cluster.local/ns/default/sa/sleep', 'spiffe://cluster.local/ns/kube-system/sa/admin'),
  ];
  await withPool(async (pool) => {
    for (const creds of certs) {
      const err = await t.throwsAsync(pool.connect(request(contextOf(creds, [mesh.rootPem]))));
      t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'), String(err));
    }
  });
  await waitFor(() => server.hbone.stats().closed.client_identity === before + 3, 'server counted all three');
  t.is(server.hbone.stats().sessions, 0);
});

/** A raw TLS client; resolves when the server closes the connection (or it fails). */
function rawTls(options: tls.ConnectionOptions): Promise<{ secured: boolean; alpn: string | false }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: LOOPBACK, port: server.port, rejectUnauthorized: false, ...options });
    let secured = false;
    let alpn: string | false = false;
    socket.once('secureConnect', () => { secured = true; alpn = socket.alpnProtocol ?? false; });
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => resolve({ secured, alpn }));
  });
}

test.serial('TLS 1.2, a missing or foreign ALPN: the connection is closed', async (t) => {
  const creds = mesh.issue(SLEEP);
  const base = { key: creds.keyPem, cert: creds.chain.slice(0, -1).join(''), ca: mesh.rootPem };
  const before = server.hbone.stats();
  await rawTls({ ...base, maxVersion: 'TLSv1.2', ALPNProtocols: ['h2'] });
  await rawTls({ ...base, ALPNProtocols: ['http/1.1'] });
  const noAlpn = await rawTls({ ...base });
  t.true(noAlpn.secured, 'without ALPN the handshake completes…');
  const after = server.hbone.stats();
  t.is(after.closed.not_h2, before.closed.not_h2 + 1, '…and the server closes it as not h2');
  t.is(after.closed.tls_error, before.closed.tls_error + 2, 'TLS 1.2 and http/1.1-only fail the handshake');
});

test.serial('a server context that allows TLS 1.2 is still held to TLS 1.3', async (t) => {
  const creds = mesh.issue(HTTPBIN);
  const laxCtx = tls.createSecureContext({ key: creds.keyPem, cert: creds.chain.slice(0, -1).join(''), ca: mesh.rootPem });
  const laxServer = await startServer(mesh, HTTPBIN, { onStream: (req) => req.accept().end(), secureContextFor: () => laxCtx });
  t.teardown(() => laxServer.close());
  const client = mesh.issue(SLEEP);
  await new Promise<void>((resolve) => {
    const socket = tls.connect({
      host: LOOPBACK, port: laxServer.port, key: client.keyPem, cert: client.chain.slice(0, -1).join(''), ca: mesh.rootPem,
      maxVersion: 'TLSv1.2', ALPNProtocols: ['h2'], checkServerIdentity: () => undefined,
    });
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => resolve());
  });
  t.is(laxServer.hbone.stats().closed.not_tls13, 1);
});

test.serial('no certificate for the local address → the connection is closed', async (t) => {
  const none = await startServer(mesh, HTTPBIN, { onStream: (req) => req.accept().end(), secureContextFor: () => undefined });
  t.teardown(() => none.close());
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(() => pool.close());
  const err = await t.throwsAsync(pool.connect({ ...request(mesh.context(SLEEP)), dstAddress: { ip: LOOPBACK, port: none.port } }));
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TLS'), String(err));
  t.is(none.hbone.stats().closed.no_identity, 1);
});

test.serial('the client sends no SNI', async (t) => {
  const creds = mesh.issue(HTTPBIN);
  let servername: string | false | undefined;
  const raw = tls.createServer({
    key: creds.keyPem, cert: creds.chain.slice(0, -1).join(''), ca: mesh.rootPem, requestCert: true, ALPNProtocols: ['h2'],
  }, (socket) => {
    servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    socket.destroy();
  });
  await new Promise<void>((resolve) => raw.listen(0, LOOPBACK, resolve));
  t.teardown(() => raw.close());
  const port = (raw.address() as net.AddressInfo).port;
  await withPool(async (pool) => {
    await pool.connect({ ...request(mesh.context(SLEEP)), dstAddress: { ip: LOOPBACK, port } }).catch(() => undefined);
  });
  t.is(servername, false);
});
