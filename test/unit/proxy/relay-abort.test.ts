// abort(): a TCP socket is reset, so the peer sees the failure as one.
import { once } from 'node:events';
import { existsSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import test from 'ava';
import { abort } from '../../../daemon/proxy/relay.js';

async function pair(): Promise<{ client: net.Socket; server: net.Socket; close: () => void }> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'connection');
  const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = (await accepted) as [net.Socket];
  return { client, server, close: () => srv.close() };
}

test('abort() resets a connected socket: the peer sees ECONNRESET', async (t) => {
  const { client, server, close } = await pair();
  t.teardown(close);
  server.resume();
  const peerError = once(server, 'error');
  const closed = once(client, 'close');
  abort(client);
  const [err] = (await peerError) as [NodeJS.ErrnoException];
  t.is(err.code, 'ECONNRESET');
  await closed;
});

test('abort() right after end() (its shutdown still in flight) closes the socket instead of leaking its handle', async (t) => {
  const { client, server, close } = await pair();
  t.teardown(close);
  server.resume();
  server.on('error', () => undefined);
  const errors: Error[] = [];
  client.on('error', (err) => errors.push(err));
  const handle = (client as unknown as { _handle: { fd: number } })._handle;
  const fd = handle.fd;
  client.end();
  // end() queues the shutdown on the next tick; abort lands while libuv has it in flight.
  await new Promise<void>((resolve) => process.nextTick(() => { abort(client); resolve(); }));
  await once(server, 'close');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(errors.map((e) => e.message), []);
  t.false(existsSync(`/proc/self/fd/${fd}`) && readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:'), `fd ${fd} is still an open socket`);
});
