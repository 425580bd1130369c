// Bytes through HBONE CONNECT streams: echo behind the server, pooling (shared
// handshake, 100 streams per connection), the request metadata the server sees,
// half-close, resets, flow control, and nothing left open afterwards.
import test from 'ava';
import { constants as h2 } from 'node:http2';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { silentLogger } from '../../../api/log.js';
import type { HboneInboundRequest } from '../../../daemon/hbone/inbound-request.js';
import { HbonePool, type HboneConnectRequest } from '../../../daemon/hbone/pool.js';
import { isTraceparent } from '../../../daemon/hbone/trace-parent.js';
import {
  HTTPBIN, LOOPBACK, Mesh, SLEEP, dialUpstream, readAll, readBytes, startEcho, startServer, waitFor,
} from './support.js';

const mesh = new Mesh();
test.after.always(() => mesh.cleanup());
const clientCtx = mesh.context(SLEEP);

function request(port: number, targetPort: number, extra: Partial<HboneConnectRequest> = {}): HboneConnectRequest {
  return {
    srcIdentity: SLEEP,
    secureContext: clientCtx,
    dstIdentity: HTTPBIN,
    dstAddress: { ip: LOOPBACK, port },
    authority: { ip: LOOPBACK, port: targetPort },
    ...extra,
  };
}

async function echoOnce(stream: Duplex, payload: Buffer): Promise<Buffer> {
  const reply = readAll(stream);
  stream.end(payload);
  return reply;
}

test('bytes flow both ways through CONNECT to an echo upstream, then everything closes', async (t) => {
  const echo = await startEcho();
  const server = await startServer(mesh, HTTPBIN, { onStream: dialUpstream });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); await echo.close(); });

  const stream = await pool.connect(request(server.port, echo.port));
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  t.true((await echoOnce(stream, payload)).equals(payload), 'echoed bytes equal (Buffer.equals: AVA deepEqual is slow on MiBs)');
  t.deepEqual(server.asked, [LOOPBACK], 'the certificate was chosen by the accepted local address');

  await waitFor(() => pool.stats().streams === 0, 'pool streams released');
  await waitFor(() => server.hbone.stats().streams === 0, 'server streams closed');
  await waitFor(() => echo.open() === 0, 'upstream closed');
  t.is(pool.stats().connections, 1, 'the connection stays pooled while not idle');
  await pool.close();
  t.deepEqual(pool.stats(), { connections: 0, connecting: 0, draining: 0, streams: 0, handshakes: 1, handshakeFailures: 0 });
  await waitFor(() => server.hbone.stats().sessions === 0, 'server session closed');
  await waitFor(() => server.hbone.stats().connections === 0, 'server connection closed');
});

test('the server sees authority, forwarded, baggage, traceparent and the verified peer', async (t) => {
  const seen: HboneInboundRequest[] = [];
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      seen.push(req);
      req.accept().end('ok');
    },
  });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const baggage = 'k8s.namespace.name=default,k8s.deployment.name=sleep,service.name=sleep,service.version=v1';
  const stream = await pool.connect(request(server.port, 8080, { forwardedFor: { ip: '10.244.1.5', port: 43122 }, baggage }));
  stream.end();
  t.is((await readAll(stream)).toString(), 'ok');
  const stream6 = await pool.connect(request(server.port, 8080, { forwardedFor: { ip: 'fd00::5', port: 80 }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }));
  stream6.end();
  await readAll(stream6);

  t.is(seen.length, 2);
  const [a, b] = seen as [HboneInboundRequest, HboneInboundRequest];
  t.deepEqual(a.authority, { ip: LOOPBACK, port: 8080 });
  t.deepEqual(a.forwardedFor, { ip: '10.244.1.5', port: 43122 });
  t.is(a.baggage, baggage);
  t.true(isTraceparent(a.traceparent ?? ''), `generated traceparent ${String(a.traceparent)}`);
  t.deepEqual(a.peerIdentity, SLEEP);
  t.is(a.peerCertificate.uri, 'spiffe://cluster.local/ns/default/sa/sleep');
  t.is(a.localAddress, LOOPBACK);
  t.is(a.remoteAddress, LOOPBACK);
  t.deepEqual(b.forwardedFor, { ip: 'fd00::5', port: 80 });
  t.is(b.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  t.is(b.baggage, undefined);
  t.is(server.hbone.stats().accepted, 1, 'both streams used one pooled connection');
});

test('concurrent connects share one handshake; 100 streams per connection, the 101st opens a second', async (t) => {
  const held: Duplex[] = [];
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      const s = req.accept();
      held.push(s);
      s.pipe(s);
    },
  });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const first = await Promise.all(Array.from({ length: 10 }, () => pool.connect(request(server.port, 9000))));
  t.is(server.hbone.stats().accepted, 1, 'ten concurrent connects, one TLS connection');
  t.is(pool.stats().connections, 1);
  t.is(pool.stats().handshakes, 1);

  const more = await Promise.all(Array.from({ length: 90 }, () => pool.connect(request(server.port, 9000))));
  const streams = [...first, ...more];
  t.is(pool.stats().connections, 1, '100 concurrent streams fit on one connection');
  t.is(pool.stats().streams, 100);

  const extra = await pool.connect(request(server.port, 9000));
  streams.push(extra);
  t.is(pool.stats().connections, 2, 'the 101st concurrent stream opened a second connection');
  t.is(server.hbone.stats().accepted, 2);
  t.deepEqual(pool.dump().map((c) => c.streams).sort((x, y) => x - y), [1, 100]);

  // Every stream still echoes its own bytes.
  const replies = await Promise.all(streams.map((s, i) => echoOnce(s, Buffer.from(`stream-${i}`))));
  t.deepEqual(replies.map((r) => r.toString()), streams.map((_, i) => `stream-${i}`));
  await waitFor(() => pool.stats().streams === 0, 'pool streams released');
  await waitFor(() => server.hbone.stats().streams === 0, 'server streams closed');

  // A different key (another destination identity would be refused, so another source) gets its own connection.
  const other = await pool.connect(request(server.port, 9000, { srcIdentity: { ...SLEEP, serviceAccount: 'other' } }));
  t.is(pool.stats().connections, 3);
  await echoOnce(other, Buffer.from('x'));
});

test('half-close: the client ends first and keeps reading; the server ends first and keeps reading', async (t) => {
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      const s = req.accept();
      if (req.authority.port === 1) {
        // Client ends first: read to the end, then answer, then end.
        void readAll(s).then((got) => { s.write(`got ${got.toString()}`); s.end(' bye'); });
      } else {
        // Server ends first: send a greeting and end; keep reading and report what came after.
        s.end('hello');
        void readAll(s).then((got) => { seenAfterServerEnd.push(got.toString()); });
      }
    },
  });
  const seenAfterServerEnd: string[] = [];
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const a = await pool.connect(request(server.port, 1));
  a.end('request');
  t.is((await readAll(a)).toString(), 'got request bye', 'data flows to the client after it ended its side');

  const b = await pool.connect(request(server.port, 2));
  const greeting = readAll(b);
  t.is((await greeting).toString(), 'hello', 'the client saw the server end');
  t.true(b.writable, 'the client can still write after the server ended');
  b.end('late data');
  await waitFor(() => seenAfterServerEnd.length === 1, 'server read the client data after its own end');
  t.deepEqual(seenAfterServerEnd, ['late data']);
  await waitFor(() => pool.stats().streams === 0 && server.hbone.stats().streams === 0, 'streams closed');
});

test('resets propagate: client destroy reaches the upstream; upstream reset reaches the client', async (t) => {
  const echo = await startEcho();
  const serverStreams: Duplex[] = [];
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      if (req.authority.port === echo.port) {
        dialUpstream(req);
        return;
      }
      serverStreams.push(req.accept());
    },
  });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); await echo.close(); });

  // Client → server: destroying the client stream resets it; the server-side relay closes the upstream.
  const a = await pool.connect(request(server.port, echo.port));
  a.write('ping');
  t.is((await readBytes(a, 4)).toString(), 'ping');
  t.is(echo.open(), 1);
  a.destroy();
  await waitFor(() => echo.open() === 0, 'upstream connection closed after the client reset');
  await waitFor(() => server.hbone.stats().streams === 0, 'server stream closed');

  // Server → client: destroying the server stream with an error resets it; the client sees an error and close, no end.
  const b = await pool.connect(request(server.port, 7));
  await waitFor(() => serverStreams.length === 1, 'server stream accepted');
  let ended = false;
  b.on('end', () => { ended = true; });
  const errored = new Promise<Error>((resolve) => b.once('error', resolve));
  const closed = new Promise<void>((resolve) => b.once('close', resolve));
  b.resume();
  serverStreams[0]!.destroy(new Error('upstream reset'));
  const err = await errored;
  await closed;
  t.false(ended, 'a reset is not an end');
  t.is((err as Error & { code?: string }).code, 'ERR_HTTP2_STREAM_ERROR');
  t.is((b as unknown as { rstCode: number }).rstCode, h2.NGHTTP2_INTERNAL_ERROR);
  await waitFor(() => pool.stats().streams === 0, 'pool stream released');
  t.is(pool.stats().connections, 1, 'a stream reset leaves the connection pooled');
});

test('a stalled stream does not block the others on the same connection', async (t) => {
  const stalled: Duplex[] = [];
  const server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      const s = req.accept();
      if (req.authority.port === 1) {
        s.pause(); // never reads
        stalled.push(s);
      } else {
        s.pipe(s);
      }
    },
  });
  const pool = new HbonePool({ log: silentLogger() });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const slow = await pool.connect(request(server.port, 1));
  // Far more than a stream window (4 MiB) and the connection window (16 MiB), written
  // with backpressure as a proxy would.
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  const pump = (): void => {
    while (written < 32 * 1024 * 1024) {
      written += chunk.length;
      if (!slow.write(chunk)) {
        slow.once('drain', pump);
        return;
      }
    }
  };
  pump();
  await waitFor(() => stalled.length === 1 && stalled[0]!.readableLength >= 4 * 1024 * 1024, 'stalled stream window full');

  const fast = await pool.connect(request(server.port, 2));
  const payload = randomBytes(8 * 1024 * 1024);
  t.true((await echoOnce(fast, payload)).equals(payload), 'another stream moved 8 MiB while one was stalled');
  t.is(pool.stats().connections, 1, 'both on the same connection');
  t.true(written < 32 * 1024 * 1024, 'the stalled stream is really held back by flow control');
  slow.destroy();
});

test('idle connections close after idleTimeoutMs; the server then has no session', async (t) => {
  const server = await startServer(mesh, HTTPBIN, { onStream: (req) => req.accept().end() });
  const pool = new HbonePool({ log: silentLogger(), idleTimeoutMs: 100 });
  t.teardown(async () => { await pool.close(); await server.close(); });

  const s = await pool.connect(request(server.port, 80));
  s.end();
  await readAll(s);
  await waitFor(() => pool.stats().connections === 0, 'idle connection closed');
  t.is(pool.stats().streams, 0);
  await waitFor(() => server.hbone.stats().sessions === 0 && server.hbone.stats().connections === 0, 'server side closed');
  t.is(server.hbone.stats().closed.h2_error, 0, 'a graceful idle close is not a protocol error');

  // The pool opens a fresh connection on demand afterwards.
  const again = await pool.connect(request(server.port, 80));
  again.end();
  await readAll(again);
  t.is(pool.stats().handshakes, 2);
});
