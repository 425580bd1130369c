// Consistent-hash load balancing (rule 85): keys, stability, and how few keys move.
import test from 'ava';
import type { L7ConsistentHash } from '../../../api/l7-model.js';
import { EndpointPicker, MaglevTable, RingHash, hash32, hashKey, settingsFor } from '../../../waypoint/engine/index.js';

const ring: L7ConsistentHash['algorithm'] = { ringHash: { minimumRingSize: 1024 } };
const maglev: L7ConsistentHash['algorithm'] = { maglev: { tableSize: 65537 } };
const input = (headers: [string, string][] = [], path = '/', sourceIp = '10.0.0.9') => ({ headers: new Map(headers), sourceIp, path });

const KEY_CASES: { title: string; key: L7ConsistentHash['key']; input: ReturnType<typeof input>; want: string | undefined }[] = [
  { title: 'a header', key: { header: 'x-user' }, input: input([['x-user', 'jason']]), want: 'jason' },
  { title: 'a missing header gives no key', key: { header: 'x-user' }, input: input(), want: undefined },
  { title: 'the client IP', key: { sourceIp: true }, input: input([], '/', '10.1.2.3'), want: '10.1.2.3' },
  { title: 'a query parameter', key: { queryParameter: 'u' }, input: input([], '/p?a=1&u=me'), want: 'me' },
  { title: 'a cookie among others', key: { cookie: { name: 'sess' } }, input: input([['cookie', 'a=1; sess=abc; b=2']]), want: 'abc' },
  { title: 'a missing cookie without ttl gives no key', key: { cookie: { name: 'sess' } }, input: input([['cookie', 'a=1']]), want: undefined },
];

for (const c of KEY_CASES) {
  test(`rule 85: the hash key is ${c.title}`, (t) => {
    const k = hashKey({ key: c.key, algorithm: ring }, c.input, () => 0.5);
    t.is(k.key, c.want);
    t.is(k.setCookie, undefined);
  });
}

test('rule 85: a missing cookie with a ttl is generated, hashed on, and set on the response', (t) => {
  const k = hashKey({ key: { cookie: { name: 'sess', path: '/app', ttlMs: 60_000 } }, algorithm: ring }, input(), () => 0.25);
  t.regex(k.key ?? '', /^[0-9a-f]{32}$/);
  t.is(k.setCookie, `sess=${k.key!}; Max-Age=60; Path=/app; HttpOnly`);
});

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `uid-${i}`);

for (const [name, make] of [['ring hash', (h: string[]) => new RingHash(h, 1024)], ['maglev', (h: string[]) => new MaglevTable(h, 65537)]] as const) {
  test(`rule 85 (${name}): the same key always maps to the same endpoint`, (t) => {
    const table = make(ids(5));
    for (let i = 0; i < 200; i++) t.is(table.pick(hash32(`user-${i}`)), make(ids(5)).pick(hash32(`user-${i}`)));
  });

  test(`rule 85 (${name}): keys spread over every endpoint`, (t) => {
    const table = make(ids(4));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[table.pick(hash32(`user-${i}`))]!++;
    for (const c of counts) t.true(c > 600 && c < 1400, counts.join(','));
  });

  test(`rule 85 (${name}): removing one of 5 endpoints moves about 1/5 of the keys, no more`, (t) => {
    const before = ids(5);
    const after = before.filter((id) => id !== 'uid-2');
    const a = make(before);
    const b = make(after);
    let moved = 0;
    const keys = 10_000;
    for (let i = 0; i < keys; i++) {
      const h = hash32(`user-${i}`);
      if (before[a.pick(h)] !== after[b.pick(h)]) moved++;
    }
    // The keys of the removed endpoint (~20 %) must move; others should stay (a little slack for maglev).
    t.true(moved > keys * 0.15 && moved < keys * 0.27, `${moved} of ${keys} moved`);
  });
}

test('rule 85: the picker keeps a table per group and rebuilds it when the endpoints change', (t) => {
  const picker = new EndpointPicker(() => 0.5);
  const eps = ids(3).map((uid) => ({ uid }));
  const ch: L7ConsistentHash = { key: { header: 'x' }, algorithm: ring };
  const first = picker.pickByHash('g', eps, ch, hash32('jason'));
  for (let i = 0; i < 10; i++) t.is(picker.pickByHash('g', eps, ch, hash32('jason')), first);
  const without = eps.filter((e) => e !== first);
  t.not(picker.pickByHash('g', without, ch, hash32('jason')), first);
});

test('rule 85: maglev and ring hash are chosen by the algorithm; the load balancer is one choice with consistentHash (subset overrides both)', (t) => {
  const ch: L7ConsistentHash = { key: { sourceIp: true }, algorithm: maglev };
  const policy = { service: 's', origins: [], trafficPolicy: { consistentHash: ch }, subsets: [{ name: 'v1', labels: {}, trafficPolicy: { loadBalancer: 'ROUND_ROBIN' as const } }] };
  t.deepEqual(settingsFor(policy, undefined, 80), { loadBalancer: 'LEAST_REQUEST', consistentHash: ch });
  t.deepEqual(settingsFor(policy, 'v1', 80), { loadBalancer: 'ROUND_ROBIN' });
});
