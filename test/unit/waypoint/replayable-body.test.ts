// A request body kept for retries: streamed to each try, replayed whole while within the limit.
import { PassThrough, type Readable } from 'node:stream';
import test from 'ava';
import { ReplayableBody } from '../../../waypoint/replayable-body.js';

async function text(r: Readable): Promise<string> {
  let out = '';
  for await (const c of r) out += (c as Buffer).toString();
  return out;
}

test('a second try gets the whole body again, including what arrived after the first try began', async (t) => {
  const source = new PassThrough();
  const body = new ReplayableBody(source, 100);
  const first = body.open();
  source.write('hello ');
  const firstText = text(first);
  source.end('world');
  t.is(await firstText, 'hello world');
  t.true(body.replayable);
  t.is(await text(body.open()), 'hello world');
  t.is(body.bytes, 11);
});

test('a retry that starts before the body ended gets the rest as it arrives', async (t) => {
  const source = new PassThrough();
  const body = new ReplayableBody(source, 100);
  body.open();
  source.write('ab');
  await new Promise((resolve) => setImmediate(resolve));
  const second = body.open();
  const secondText = text(second);
  source.end('cd');
  t.is(await secondText, 'abcd');
});

test('past the limit the body still streams, but can no longer be replayed', async (t) => {
  const source = new PassThrough();
  const body = new ReplayableBody(source, 4);
  const first = body.open();
  const firstText = text(first);
  source.end('0123456789');
  t.is(await firstText, '0123456789');
  t.false(body.replayable);
});

test('a client that fails its body fails the try\'s body and makes it not replayable', async (t) => {
  const source = new PassThrough();
  const body = new ReplayableBody(source, 100);
  const first = body.open();
  const failed = new Promise<Error>((resolve) => first.once('error', resolve));
  source.destroy(new Error('client went away'));
  t.is((await failed).message, 'client went away');
  t.false(body.replayable);
});
