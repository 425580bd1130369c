// Hostile or broken peers: each bad connection is closed and counted, and nothing
// else is disturbed (a good stream on another connection keeps working).
import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { silentLogger } from '../../../api/log.js';
import { dial } from '../../../daemon/hbone/dial.js';
import { DEFAULT_WINDOWS } from '../../../daemon/hbone/h2-settings.js';
import { HbonePool } from '../../../daemon/hbone/pool.js';
import {
  HTTPBIN, LOOPBACK, Mesh, SLEEP, readBytes, startServer, waitFor, type ServerHarness,
} from './support.js';

const mesh = new Mesh();
const clientCreds = mesh.issue(SLEEP);
const clientCtx = mesh.context(SLEEP);
let server: ServerHarness;

test.before(async () => {
  server = await startServer(mesh, HTTPBIN, {
    handshakeTimeoutMs: 300,
    idleSessionTimeoutMs: 300,
    onStream: (req) => {
      const s = req.accept();
      s.pipe(s);
    },
  });
});
test.after.always(async () => {
  await server.close();
  mesh.cleanup();
});

/** Resolves when the server closes this raw TCP connection. */
function closedByServer(socket: net.Socket): Promise<void> {
  socket.on('error', () => {});
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

function rawTcp(): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, LOOPBACK, () => resolve(socket));
  });
}

test.serial('garbage instead of TLS closes that socket only; a concurrent good stream keeps working', async (t) => {
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(() => pool.close());
  const good = await pool.connect({
    srcIdentity: SLEEP, secureContext: clientCtx, dstIdentity: HTTPBIN,
    dstAddress: { ip: LOOPBACK, port: server.port }, authority: { ip: LOOPBACK, port: 80 },
  });
  good.write('before');
  t.is((await readBytes(good, 6)).toString(), 'before');

  const before = server.hbone.stats().closed.tls_error;
  const bad = await rawTcp();
  const closed = closedByServer(bad);
  bad.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await closed;
  const junk = await rawTcp();
  const junkClosed = closedByServer(junk);
  junk.write(Buffer.alloc(4096, 0xff));
  await junkClosed;
  t.is(server.hbone.stats().closed.tls_error, before + 2);

  good.write('after');
  t.is((await readBytes(good, 5)).toString(), 'after', 'the good stream is untouched');
  good.end();
  t.is(pool.stats().connections, 1);
});

test.serial('slowloris: a TCP connection that sends nothing is closed after handshakeTimeoutMs', async (t) => {
  const before = server.hbone.stats().closed.handshake_timeout;
  const idle = await rawTcp();
  await closedByServer(idle);
  t.is(server.hbone.stats().closed.handshake_timeout, before + 1);
});

test.serial('slowloris after TLS: no HTTP/2 preface within handshakeTimeoutMs → closed', async (t) => {
  const before = server.hbone.stats().closed.handshake_timeout;
  const socket = tls.connect({
    host: LOOPBACK, port: server.port, key: clientCreds.keyPem, cert: clientCreds.chain.slice(0, -1).join(''),
    ca: mesh.rootPem, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined,
  });
  await closedByServer(socket);
  t.is(server.hbone.stats().closed.handshake_timeout, before + 1);
});

test.serial('HTTP/2 garbage after a valid mTLS handshake → closed as h2_error', async (t) => {
  const before = server.hbone.stats().closed.h2_error;
  const socket = tls.connect({
    host: LOOPBACK, port: server.port, key: clientCreds.keyPem, cert: clientCreds.chain.slice(0, -1).join(''),
    ca: mesh.rootPem, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined,
  });
  socket.once('secureConnect', () => socket.write('this is not an HTTP/2 connection preface at all\r\n\r\n'));
  await closedByServer(socket);
  await waitFor(() => server.hbone.stats().closed.h2_error === before + 1, 'h2_error counted');
  t.pass();
});

test.serial('a session that never opens a stream is closed after idleSessionTimeoutMs', async (t) => {
  const before = server.hbone.stats().closed.idle;
  const { session } = await dial({
    secureContext: clientCtx, dstIdentity: HTTPBIN, dstAddress: { ip: LOOPBACK, port: server.port }, windows: DEFAULT_WINDOWS,
  }).promise;
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
  await new Promise<void>((resolve) => session.once('close', () => resolve()));
  await goaway;
  t.is(server.hbone.stats().closed.idle, before + 1);
});

test.serial('after all that, no connection, session or stream is left on the server', async (t) => {
  await waitFor(() => {
    const s = server.hbone.stats();
    return s.connections === 0 && s.sessions === 0 && s.streams === 0;
  }, 'server empty');
  t.pass();
});

test.serial('close(): open connections are destroyed and new sockets refused', async (t) => {
  const own = await startServer(mesh, HTTPBIN, { onStream: (req) => req.accept().resume() });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(() => pool.close());
  const s = await pool.connect({
    srcIdentity: SLEEP, secureContext: clientCtx, dstIdentity: HTTPBIN,
    dstAddress: { ip: LOOPBACK, port: own.port }, authority: { ip: LOOPBACK, port: 80 },
  });
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.on('error', () => {});
  await own.hbone.close();
  await closed;
  t.is(own.hbone.stats().connections, 0);
  await waitFor(() => pool.stats().connections === 0, 'pool noticed');
  const late = net.connect(own.port, LOOPBACK);
  await closedByServer(late);
  t.is(own.hbone.stats().accepted, 1, 'sockets after close() are destroyed unserved');
  await own.close();
});
