// Workload certificates in real TLS 1.3 handshakes on 127.0.0.1, as HBONE uses them:
// the server requires a client certificate and presents the destination identity's
// SecureContext (chosen per connection in ALPNCallback with setKeyCert: the client
// sends no SNI); both sides verify the chain to the mesh root, and the client checks
// the server's URI SAN against the identity it expects.
//
// (A bare `new tls.TLSSocket(sock, {isServer: true, ...})` does not enforce
// rejectUnauthorized nor set `authorized`: only tls.Server does, hence a tls.Server
// into which a daemon can `emit('connection', sock)`.)
import test from 'ava';
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { spiffeUri, type Identity } from '../../../api/identity.js';
import { silentLogger } from '../../../api/log.js';
import { IdentityManager } from '../../../daemon/identity/identity-manager.js';
import type { WorkloadCertificate } from '../../../daemon/identity/workload-certificate.js';
import { FakeCa, HTTPBIN, SLEEP, testCa } from './support.js';

interface Peer {
  uri: string | undefined;
  protocol: string | null;
}

/** An HBONE-like server on 127.0.0.1 presenting `cert`; reports the verified client identity of each connection. */
async function startServer(cert: WorkloadCertificate): Promise<{ port: number; accepted: Peer[]; close: () => Promise<void> }> {
  const accepted: Peer[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({
    ca: cert.rootsPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3',
    ALPNCallback(this: tls.TLSSocket, { protocols }) {
      this.setKeyCert(cert.secureContext); // a daemon picks it by this.localAddress (the pod IP)
      return protocols.includes('h2') ? 'h2' : undefined;
    },
  }, (sock) => {
    const peer = { uri: sock.getPeerCertificate().subjectaltname, protocol: sock.getProtocol() };
    accepted.push(peer);
    sock.end(JSON.stringify(peer));
  });
  server.on('connection', (raw: net.Socket) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, accepted,
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
    const sock = tls.connect({
      host: '127.0.0.1', port, secureContext: cert.secureContext, ALPNProtocols: ['h2'], checkServerIdentity: expectSpiffe(server), ...extra,
    });
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
  t.deepEqual(server.accepted, []);

  // A server from another mesh: the client rejects it before checking the name.
  const foreign = await startServer(theirs.certs[0]!);
  t.teardown(foreign.close);
  const err = await t.throwsAsync(connect(foreign.port, sleep, SLEEP));
  t.regex(err.message, /certificate/i);
});

test('a workload context refuses to speak TLS 1.2', async (t) => {
  const { ca, cleanup } = testCa();
  t.teardown(cleanup);
  const m = await certsFrom(new FakeCa(ca), HTTPBIN, SLEEP);
  t.teardown(m.close);
  const [httpbin, sleep] = m.certs as [WorkloadCertificate, WorkloadCertificate];
  const legacy = tls.createServer({ key: httpbin.keyPem, cert: httpbin.chainPem[0], maxVersion: 'TLSv1.2' }, (sock) => sock.end('{}'));
  legacy.listen(0, '127.0.0.1');
  await once(legacy, 'listening');
  t.teardown(() => new Promise<void>((resolve) => legacy.close(() => resolve())));
  const err = await t.throwsAsync(connect((legacy.address() as net.AddressInfo).port, sleep, HTTPBIN));
  t.regex(err.message, /version|protocol/i);
});
