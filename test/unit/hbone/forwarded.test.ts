// The forwarded header: how we write it and what we accept back.
import test from 'ava';
import { formatForwardedFor, parseForwardedFor, type ForwardedFor } from '../../../daemon/hbone/forwarded.js';

const FORMAT: [ForwardedFor, string][] = [
  [{ ip: '10.244.1.5', port: 43122 }, 'for="10.244.1.5:43122"'],
  [{ ip: '::1', port: 80 }, 'for="[::1]:80"'],
  [{ ip: 'fd00::5', port: 8080 }, 'for="[fd00::5]:8080"'],
  [{ ip: '10.0.0.1' }, 'for="10.0.0.1"'],
  [{ ip: '::1' }, 'for="[::1]"'],
];

for (const [addr, expected] of FORMAT) {
  test(`formatForwardedFor(${JSON.stringify(addr)})`, (t) => {
    t.is(formatForwardedFor(addr), expected);
    t.deepEqual(parseForwardedFor(expected), addr, 'round trip');
  });
}

const PARSE: [string | undefined, ForwardedFor | undefined][] = [
  ['for="10.244.1.5:43122"', { ip: '10.244.1.5', port: 43122 }],
  ['for=10.244.1.5', { ip: '10.244.1.5' }],
  ['For="[2001:DB8::1]:4711"', { ip: '2001:db8::1', port: 4711 }],
  ['for="[::1]"', { ip: '::1' }],
  ['for="10.0.0.1:80";proto=https;by=10.0.0.2', { ip: '10.0.0.1', port: 80 }],
  ['proto=https; for="10.0.0.1:80"', { ip: '10.0.0.1', port: 80 }],
  ['for="10.0.0.1:80", for="10.0.0.2:81"', { ip: '10.0.0.1', port: 80 }], // the first element is the original client
  ['for="\\10.0.0.1:80"', { ip: '10.0.0.1', port: 80 }], // quoted-pair
  ['for=unknown', undefined],
  ['for="_hidden"', undefined],
  ['for="10.0.0.1:0"', undefined],
  ['for="10.0.0.1:70000"', undefined],
  ['for="example.com:80"', undefined],
  ['for="::1"', undefined], // IPv6 must be bracketed
  ['for="[10.0.0.1]:80"', undefined],
  ['for="10.0.0.1:80', undefined], // unterminated quote
  ['by=10.0.0.1', undefined],
  ['', undefined],
  [undefined, undefined],
];

for (const [header, expected] of PARSE) {
  test(`parseForwardedFor(${JSON.stringify(header)})`, (t) => {
    t.deepEqual(parseForwardedFor(header), expected);
  });
}
