// IP canonicalisation and host:port formatting.
import test from 'ava';
import { formatHostPort, normalizeIp, parsePort } from '../../../daemon/hbone/socket-address.js';

const NORMALIZE: [string, string | undefined][] = [
  ['10.0.0.1', '10.0.0.1'],
  ['::1', '::1'],
  ['0:0:0:0:0:0:0:1', '::1'],
  ['FD00:0000::00A', 'fd00::a'],
  ['::ffff:127.0.0.1', '127.0.0.1'],
  ['::FFFF:7f00:1', '127.0.0.1'],
  ['fe80::1%eth0', undefined],
  ['10.0.0.256', undefined],
  ['localhost', undefined],
  ['', undefined],
];

for (const [input, expected] of NORMALIZE) {
  test(`normalizeIp(${JSON.stringify(input)})`, (t) => {
    t.is(normalizeIp(input), expected);
  });
}

test('formatHostPort brackets IPv6 only', (t) => {
  t.is(formatHostPort({ ip: '10.0.0.1', port: 15008 }), '10.0.0.1:15008');
  t.is(formatHostPort({ ip: 'fd00::1', port: 15008 }), '[fd00::1]:15008');
});

test('parsePort accepts 1..65535 in plain decimal only', (t) => {
  t.is(parsePort('1'), 1);
  t.is(parsePort('65535'), 65535);
  t.is(parsePort('08080'), 8080);
  for (const bad of ['0', '65536', '', ' 80', '80 ', '+80', '-1', '1e3', '0x50', '123456']) t.is(parsePort(bad), undefined, bad);
});
