// The pool's connection lifecycle: GOAWAY draining, certificate rotation, aborts,
// timeouts, connect failures shared by waiters, keepalive detecting a dead path, and
// close().
import test from 'ava';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { silentLogger } from '../../../api/log.js';
import { isHboneError } from '../../../daemon/hbone/hbone-error.js';
import type { HboneInboundRequest } from '../../../daemon/hbone/inbound-request.js';
import { HbonePool, type HboneConnectRequest } from '../../../daemon/hbone/pool.js';
import {
  HTTPBIN, LOOPBACK, Mesh, SLEEP, closedPort, readAll, readBytes, startRelay, startServer, waitFor,
} from './support.js';

const mesh = new Mesh();
test.after.always(() => mesh.cleanup());
const clientCtx = mesh.context(SLEEP);

function request(port: number, extra: Partial<HboneConnectRequest> = {}, secureContext: SecureContext = clientCtx): HboneConnectRequest {
  return {
    srcIdentity: SLEEP, secureContext, dstIdentity: HTTPBIN,
    dstAddress: { ip: LOOPBACK, port }, authority: { ip: LOOPBACK, port: 80 }, ...extra,
  };
}

const echo = (req: HboneInboundRequest): void => {
  const s = req.accept();
  s.pipe(s);
};

test('GOAWAY (server drain): the open stream finishes, new streams go to a new connection', async (t) => {
  const server = await startServer(mesh, HTTPBIN, { onStream: echo });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const old = await pool.connect(request(server.port));
  old.write('a');
  await readBytes(old, 1);
  server.hbone.drain();
  await waitFor(() => pool.stats().draining === 1, 'pool saw the GOAWAY');

  const fresh = await pool.connect(request(server.port));
  t.is(pool.stats().handshakes, 2, 'a new connection for the new stream');
  old.write('still works');
  t.is((await readBytes(old, 11)).toString(), 'still works', 'the in-flight stream survives the GOAWAY');
  old.end();
  await readAll(old);
  await waitFor(() => pool.stats().connections === 1 && pool.stats().draining === 0, 'drained connection closed');
  fresh.end();
  await readAll(fresh);
});

test('a pooled connection that dies before the response is retried once on a fresh one', async (t) => {
  let crashes = 1;
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      if (req.authority.port === 666 && crashes-- > 0) {
        harness.dropConnections();
        return;
      }
      echo(req);
    },
  });
  const harness = server;
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const warm = await pool.connect(request(server.port));
  warm.on('error', () => {});
  const s = await pool.connect(request(server.port, { authority: { ip: LOOPBACK, port: 666 } }));
  t.is(pool.stats().handshakes, 2, 'the retry used a new connection');
  s.end('ok');
  t.is((await readAll(s)).toString(), 'ok');
});

test('only one retry: a fresh connection that dies too fails the connect', async (t) => {
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      // Crash after the server's SETTINGS went out (a crash in the middle of work).
      if (req.authority.port === 666) setImmediate(() => harness.dropConnections());
      else echo(req);
    },
  });
  const harness = server;
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });
  const warm = await pool.connect(request(server.port));
  warm.on('error', () => {});
  const err = await pool.connect(request(server.port, { authority: { ip: LOOPBACK, port: 666 } })).catch((e: unknown) => e);
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_CONNECT'), String(err));
  t.is(pool.stats().handshakes, 2, 'one retry, not more');
});

test('certificate rotation: a new SecureContext for the key opens a new connection and drains the old', async (t) => {
  const server = await startServer(mesh, HTTPBIN, { onStream: echo });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const a = await pool.connect(request(server.port));
  const rotated = mesh.context(SLEEP);
  const b = await pool.connect(request(server.port, {}, rotated));
  t.is(pool.stats().handshakes, 2);
  t.is(pool.stats().draining, 1);
  a.end();
  await readAll(a);
  await waitFor(() => pool.stats().connections === 1, 'old connection closed once its stream ended');
  const c = await pool.connect(request(server.port, {}, rotated));
  t.is(pool.stats().handshakes, 2, 'the rotated connection is reused');
  for (const s of [b, c]) {
    s.end();
    await readAll(s);
  }
});

test('abort signal and connect timeout cancel the stream on both sides', async (t) => {
  const waiting: HboneInboundRequest[] = [];
  const server = await startServer(mesh, HTTPBIN, { onStream: (req) => { waiting.push(req); } }); // never answers
  const pool = new HbonePool({ log: silentLogger(), connectTimeoutMs: 300 });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const ctl = new AbortController();
  const pending = pool.connect(request(server.port, { signal: ctl.signal }));
  await waitFor(() => waiting.length === 1, 'server got the stream');
  ctl.abort();
  t.true(isHboneError(await pending.catch((e: unknown) => e), 'AMBIT_ERR_HBONE_ABORTED'));
  await waitFor(() => waiting[0]!.signal.aborted, 'server-side request signal aborted');

  const timedOut = await pool.connect(request(server.port)).catch((e: unknown) => e);
  t.true(isHboneError(timedOut, 'AMBIT_ERR_HBONE_TIMEOUT'), String(timedOut));
  await waitFor(() => waiting.length === 2 && waiting[1]!.signal.aborted, 'timed-out stream cancelled on the server');
  t.throws(() => waiting[1]!.accept(), { message: /cancelled/ }, 'accepting a cancelled request fails loudly');

  await waitFor(() => pool.stats().streams === 0 && server.hbone.stats().streams === 0, 'no streams left');
  t.is(pool.stats().connections, 1, 'cancelled streams do not cost the connection');
  t.true(isHboneError(await pool.connect(request(server.port, { signal: AbortSignal.abort() })).catch((e: unknown) => e), 'AMBIT_ERR_HBONE_ABORTED'));
});

test('connection refused: every waiter of the shared handshake gets AMBIT_ERR_HBONE_CONNECT', async (t) => {
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(() => pool.close());
  const port = await closedPort();
  const errors = await Promise.all(Array.from({ length: 5 }, () => pool.connect(request(port)).catch((e: unknown) => e)));
  t.true(errors.every((e) => isHboneError(e, 'AMBIT_ERR_HBONE_CONNECT')), String(errors[0]));
  t.is(pool.stats().handshakes, 1);
  t.is(pool.stats().handshakeFailures, 1);
  t.is(pool.stats().connections, 0);
});

test('a server that accepts TCP but never speaks TLS → AMBIT_ERR_HBONE_TIMEOUT', async (t) => {
  const held: net.Socket[] = [];
  const mute = net.createServer((s) => { held.push(s); });
  await new Promise<void>((resolve) => mute.listen(0, LOOPBACK, resolve));
  const pool = new HbonePool({ log: silentLogger(), connectTimeoutMs: 200 });
  t.teardown(async () => {
    await pool.close();
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => mute.close(() => resolve()));
  });
  const err = await pool.connect(request((mute.address() as net.AddressInfo).port)).catch((e: unknown) => e);
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_TIMEOUT'), String(err));
  await waitFor(() => pool.stats().connections === 0, 'timed-out handshake dropped');
});

test('PING keepalive: a dead network path is detected and the connection dropped', async (t) => {
  const server = await startServer(mesh, HTTPBIN, { onStream: echo });
  const relay = await startRelay(server.port);
  const pool = new HbonePool({ log: silentLogger(), pingIntervalMs: 100 });
  t.teardown(async () => { await pool.close(); await relay.close(); await server.close(); });

  const s: Duplex = await pool.connect(request(relay.port));
  s.on('error', () => {});
  s.write('x');
  await readBytes(s, 1);
  relay.freeze();
  await new Promise<void>((resolve) => s.once('close', () => resolve()));
  await waitFor(() => pool.stats().connections === 0, 'dead connection dropped');
  t.pass();
});

test('close(): pending connects fail with ABORTED, later ones too, and nothing stays open', async (t) => {
  const server = await startServer(mesh, HTTPBIN, { onStream: () => {} }); // never answers
  t.teardown(() => server.close());
  const pool = new HbonePool({ log: silentLogger() });
  const pending = pool.connect(request(server.port));
  await waitFor(() => server.hbone.stats().streams === 1, 'stream reached the server');
  await pool.close();
  t.true(isHboneError(await pending.catch((e: unknown) => e), 'AMBIT_ERR_HBONE_ABORTED'));
  t.true(isHboneError(await pool.connect(request(server.port)).catch((e: unknown) => e), 'AMBIT_ERR_HBONE_ABORTED'));
  t.is(pool.stats().connections, 0);
  await waitFor(() => server.hbone.stats().sessions === 0 && server.hbone.stats().streams === 0, 'server side closed');
});
