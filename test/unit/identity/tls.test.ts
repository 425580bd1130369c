// Workload certificates in real TLS 1.3 handshakes on 127.0.0.1, as HBONE uses them:
// the server wraps an accepted socket with its SecureContext and requires a client
// certificate; both sides verify the chain to the mesh root, and the client checks the
// server's URI SAN against the identity it expects.
import test from 'ava';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { spiffeUri, type Identity } from '../../../api/identity.js';
import { silentLogger } from '../../../api/log.js';
import { waitFor } from '../../support/controller-harness.js';
import { IdentityManager } from '../../../daemon/identity/identity-manager.js';
import type { WorkloadCertificate } from '../../../daemon/identity/workload-certificate.js';
import { FakeCa, HTTPBIN, SLEEP, testCa } from './support.js';

interface Peer {
  uri: string | undefined;
  protocol: string | null;
}

/** A server on 127.0.0.1 presenting `cert`; reports the verified client identity of each connection. */
async function startServer(cert: WorkloadCertificate): Promise<{ port: number; accepted: Peer[]; errors: Error[]; close: () => Promise<void> }> {
  const accepted: Peer[] = [];
  const errors: Error[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    const sock = new tls.TLSSocket(raw, { isServer: true, secureContext: cert.secureContext, requestCert: true, rejectUnauthorized: true });
    sock.on('error', (err) => errors.push(err));
    sock.on('secure', () => {
      // A TLSSocket made outside tls.Server does not enforce rejectUnauthorized: the
      // handshake completes and the verdict is in `authorized` (tls.Server checks it the same way).
      if (!sock.authorized) {
        const reason = sock.authorizationError as Error | string | null;
        errors.push(reason instanceof Error ? reason : new Error(String(reason ?? 'client not authorized')));
        sock.destroy();
        return;
      }
      const peer = { uri: sock.getPeerCertificate().subjectaltname, protocol: sock.getProtocol() };
      accepted.push(peer);
      sock.end(JSON.stringify(peer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, accepted, errors,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Node's checkServerIdentity replacement: the server must be exactly `expected`. */
function expectSpiffe(expected: Identity): (host: string, cert: tls.PeerCertificate) => Error | undefined {
  const want = `URI:${spiffeUri(expected)}`;
  return (_host, cert) => (cert.subjectaltname === want ? undefined : new Error(`server is ${cert.subjectaltname ?? 'nobody'}, expected ${want}`));
}

/** Connect with `cert`, expecting `server`; resolves to the server's report or rejects with the TLS error. */
function connect(port: number, cert: WorkloadCertificate, server: Identity, extra: tls.ConnectionOptions = {}): Promise<{ serverUri: string | undefined; reply: Peer }> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, secureContext: cert.secureContext, checkServerIdentity: expectSpiffe(server), ...extra });
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { data += d; });
    sock.on('error', reject);
    sock.on('end', () => {
      try {
        resolve({ serverUri: sock.getPeerCertificate().subjectaltname, reply: JSON.parse(data) as Peer });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

async function certsFrom(fake: FakeCa, ...ids: Identity[]): Promise<{ certs: WorkloadCertificate[]; close: () => void }> {
  const manager = new IdentityManager({ node: 'node-1', fetchCertificate: fake.fetch, log: silentLogger() });
  const certs = await Promise.all(ids.map((id) => manager.certificate(id)));
  return { certs, close: () => manager.close() };
}

test('two identities complete a mutual TLS 1.3 handshake and see each other\'s SPIFFE ids', async (t) => {
  const { ca, cleanup } = testCa();
  t.teardown(cleanup);
  const m = await certsFrom(new FakeCa(ca), HTTPBIN, SLEEP);
  t.teardown(m.close);
  const [httpbin, sleep] = m.certs as [WorkloadCertificate, WorkloadCertificate];
  const server = await startServer(httpbin);
  t.teardown(server.close);

  const { serverUri, reply } = await connect(server.port, sleep, HTTPBIN);
  t.is(serverUri, `URI:${httpbin.spiffeId}`);
  t.deepEqual(reply, { uri: `URI:${sleep.spiffeId}`, protocol: 'TLSv1.3' });
  t.deepEqual(server.accepted, [reply]);
});

test('the client refuses a server that is not the identity it expects', async (t) => {
  const { ca, cleanup } = testCa();
  t.teardown(cleanup);
  const m = await certsFrom(new FakeCa(ca), HTTPBIN, SLEEP);
  t.teardown(m.close);
  const [httpbin, sleep] = m.certs as [WorkloadCertificate, WorkloadCertificate];
  const server = await startServer(httpbin);
  t.teardown(server.close);
  const err = await t.throwsAsync(connect(server.port, sleep, { ...HTTPBIN, serviceAccount: 'reviews' }));
  t.regex(err.message, /server is URI:spiffe:\/\/cluster.local\/ns\/default\/sa\/httpbin, expected/);
});

test('certificates of another mesh are refused both ways', async (t) => {
  const mesh = testCa();
  t.teardown(mesh.cleanup);
  const other = testCa();
  t.teardown(other.cleanup);
  const ours = await certsFrom(new FakeCa(mesh.ca), HTTPBIN, SLEEP);
  t.teardown(ours.close);
  const theirs = await certsFrom(new FakeCa(other.ca), SLEEP);
  t.teardown(theirs.close);
  const [httpbin, sleep] = ours.certs as [WorkloadCertificate, WorkloadCertificate];
  const server = await startServer(httpbin);
  t.teardown(server.close);

  // A client from another mesh (which trusts our root): the server rejects its certificate.
  const stranger = theirs.certs[0]!;
  const strangerContext = tls.createSecureContext({ key: stranger.keyPem, cert: stranger.chainPem[0], ca: httpbin.rootsPem, minVersion: 'TLSv1.3' });
  await t.throwsAsync(connect(server.port, stranger, HTTPBIN, { secureContext: strangerContext }));
  await waitFor(() => server.errors.length > 0, 5000, 'the server to refuse the client');
  t.regex(server.errors[0]!.message, /certificate|issuer/i);
  t.deepEqual(server.accepted, []);

  // A server from another mesh: the client rejects it before checking the name.
  const foreign = await startServer(theirs.certs[0]!);
  t.teardown(foreign.close);
  const err = await t.throwsAsync(connect(foreign.port, sleep, SLEEP));
  t.regex(err.message, /certificate/i);
});

test('the contexts refuse TLS 1.2', async (t) => {
  const { ca, cleanup } = testCa();
  t.teardown(cleanup);
  const m = await certsFrom(new FakeCa(ca), HTTPBIN, SLEEP);
  t.teardown(m.close);
  const [httpbin, sleep] = m.certs as [WorkloadCertificate, WorkloadCertificate];
  const server = await startServer(httpbin);
  t.teardown(server.close);
  const err = await t.throwsAsync(connect(server.port, sleep, HTTPBIN, { maxVersion: 'TLSv1.2', secureContext: undefined, key: sleep.keyPem, cert: sleep.chainPem[0], ca: sleep.rootsPem }));
  t.regex(err.message, /version|protocol/i);
});
