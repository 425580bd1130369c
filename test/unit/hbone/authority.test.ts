// :authority parsing and the "authority IP = accepted local address" rule, as tables.
import test from 'ava';
import { authorityMatchesLocal, parseAuthority } from '../../../daemon/hbone/authority.js';

const PARSE: [string | undefined, { ip: string; port: number } | undefined][] = [
  ['10.244.2.2:8080', { ip: '10.244.2.2', port: 8080 }],
  ['127.0.0.1:1', { ip: '127.0.0.1', port: 1 }],
  ['0.0.0.0:65535', { ip: '0.0.0.0', port: 65535 }],
  ['[::1]:80', { ip: '::1', port: 80 }],
  ['[FD00:0:0::A]:443', { ip: 'fd00::a', port: 443 }],
  ['[::ffff:10.0.0.1]:80', { ip: '10.0.0.1', port: 80 }],
  ['[::ffff:a00:1]:80', { ip: '10.0.0.1', port: 80 }],
  // missing port
  ['10.0.0.1', undefined],
  ['10.0.0.1:', undefined],
  ['[::1]', undefined],
  ['[::1]:', undefined],
  // port out of range or not decimal
  ['10.0.0.1:0', undefined],
  ['10.0.0.1:65536', undefined],
  ['10.0.0.1:99999', undefined],
  ['10.0.0.1:-1', undefined],
  ['10.0.0.1:+80', undefined],
  ['10.0.0.1:8o', undefined],
  ['10.0.0.1:80 ', undefined],
  ['10.0.0.1:0x50', undefined],
  // host names are never valid
  ['example.com:80', undefined],
  ['httpbin.default.svc.cluster.local:8000', undefined],
  ['localhost:80', undefined],
  // malformed addresses
  ['::1:80', undefined],
  ['[10.0.0.1]:80', undefined],
  ['10.0.0:80', undefined],
  ['10.0.0.256:80', undefined],
  ['010.0.0.1:80', undefined],
  ['[fe80::1%eth0]:80', undefined],
  ['[::1]80', undefined],
  ['', undefined],
  [undefined, undefined],
];

for (const [input, expected] of PARSE) {
  test(`parseAuthority(${JSON.stringify(input)})`, (t) => {
    t.deepEqual(parseAuthority(input), expected);
  });
}

const MATCH: [string, string, boolean][] = [
  ['10.244.2.2', '10.244.2.2', true],
  ['10.244.2.2', '::ffff:10.244.2.2', true], // dual-stack listener reports v4-mapped local addresses
  ['10.244.2.3', '10.244.2.2', false],
  ['fd00::a', 'FD00:0::A', true],
  ['fd00::a', 'fd00::b', false],
  ['127.0.0.1', 'not-an-ip', false],
];

for (const [authorityIp, local, expected] of MATCH) {
  test(`authorityMatchesLocal(${authorityIp}, ${local}) = ${expected}`, (t) => {
    t.is(authorityMatchesLocal({ ip: authorityIp, port: 80 }, local), expected);
  });
}
