// CONNECT outcomes: the callee's reject(401/503) and the server's own 400s reach the
// client as HboneError REJECTED with the status; the pool stays healthy.
import test from 'ava';
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import { silentLogger } from '../../../api/log.js';
import { dial } from '../../../daemon/hbone/dial.js';
import { DEFAULT_WINDOWS } from '../../../daemon/hbone/h2-settings.js';
import { isHboneError } from '../../../daemon/hbone/hbone-error.js';
import { HbonePool, type HboneConnectRequest } from '../../../daemon/hbone/pool.js';
import {
  HTTPBIN, LOOPBACK, Mesh, SLEEP, closedPort, dialUpstream, readAll, startServer, waitFor, type ServerHarness,
} from './support.js';

const mesh = new Mesh();
const clientCtx = mesh.context(SLEEP);
let server: ServerHarness;
let pool: HbonePool;

test.before(async () => {
  server = await startServer(mesh, HTTPBIN, {
    onStream: (req) => {
      if (req.authority.port === 401) req.reject(401, 'denied by policy');
      else if (req.authority.port === 500) throw new Error('handler bug');
      else dialUpstream(req);
    },
  });
  pool = new HbonePool({ log: silentLogger() });
});

test.after.always(async () => {
  await pool.close();
  await server.close();
  mesh.cleanup();
});

function request(authority: { ip: string; port: number }): HboneConnectRequest {
  return {
    srcIdentity: SLEEP, secureContext: clientCtx, dstIdentity: HTTPBIN, dstAddress: { ip: LOOPBACK, port: server.port }, authority,
  };
}

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (isHboneError(err, 'AMBIT_ERR_HBONE_REJECTED')) return err.status;
    throw err;
  }
}

test.serial('policy deny (reject 401) → client error with status 401', async (t) => {
  const err = await t.throwsAsync(pool.connect(request({ ip: LOOPBACK, port: 401 })));
  t.true(isHboneError(err, 'AMBIT_ERR_HBONE_REJECTED'));
  t.is((err as { status?: number }).status, 401);
});

test.serial('upstream connect failure → 503; a throwing handler → 503', async (t) => {
  t.is(await statusOf(pool.connect(request({ ip: LOOPBACK, port: await closedPort() }))), 503);
  t.is(await statusOf(pool.connect(request({ ip: LOOPBACK, port: 500 }))), 503);
});

test.serial('authority IP other than the local address → 400 (IP mismatch)', async (t) => {
  t.is(await statusOf(pool.connect(request({ ip: '10.1.2.3', port: 80 }))), 400);
  t.is(await statusOf(pool.connect(request({ ip: '::1', port: 80 }))), 400);
});

test.serial('rejections leave the pooled connection usable and all streams closed', async (t) => {
  t.is(pool.stats().connections, 1);
  await waitFor(() => pool.stats().streams === 0 && server.hbone.stats().streams === 0, 'streams closed');
  const stats = server.hbone.stats();
  t.is(stats.accepted, 1);
  t.is(stats.rejected[401], 1);
  t.is(stats.rejected[503], 2);
  t.is(stats.badRequests, 2);
});

/** A raw HTTP/2 session with a valid client certificate, for requests the pool never sends. */
async function rawSession(): Promise<ClientHttp2Session> {
  const { session } = await dial({
    secureContext: clientCtx, dstIdentity: HTTPBIN, dstAddress: { ip: LOOPBACK, port: server.port }, windows: DEFAULT_WINDOWS,
  }).promise;
  return session;
}

function rawStatus(session: ClientHttp2Session, headers: OutgoingHttpHeaders): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: false });
    stream.on('error', reject);
    stream.once('response', (h) => {
      resolve(Number(h[':status']));
      stream.close();
    });
    stream.resume();
  });
}

test.serial('non-CONNECT methods and bad authorities → 400 from the server itself', async (t) => {
  const session = await rawSession();
  t.teardown(() => session.destroy());
  t.is(await rawStatus(session, { ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': `${LOOPBACK}:80` }), 400);
  t.is(await rawStatus(session, { ':method': 'POST', ':path': '/', ':scheme': 'https', ':authority': `${LOOPBACK}:80` }), 400);
  for (const authority of ['example.com:80', `${LOOPBACK}:0`, `${LOOPBACK}:65536`, LOOPBACK, `${LOOPBACK}:http`, '[127.0.0.1]:80']) {
    t.is(await rawStatus(session, { ':method': 'CONNECT', ':authority': authority }), 400, authority);
  }
  // The same session still carries a good CONNECT afterwards.
  const ok = session.request({ ':method': 'CONNECT', ':authority': `${LOOPBACK}:401` });
  const status = await new Promise<number>((resolve) => ok.once('response', (h) => resolve(Number(h[':status']))));
  t.is(status, 401);
  await readAll(ok);
});
