// Address parsing and CIDR containment (rule 17), checked against node:net: the parser
// must accept exactly what isIP accepts (the daemon's resource checks use isIP), and
// containment must agree with BlockList.
import test from 'ava';
import { BlockList, isIP } from 'node:net';
import { cidrContains, compileCidr } from '../../../daemon/rbac/cidr.js';
import { parseConnectionIp, parseIp } from '../../../daemon/rbac/ip-address.js';
import { rng } from './support.js';

const texts = [
  '0.0.0.0', '255.255.255.255', '10.1.2.3', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4.', '.1.2.3', '', 'a.b.c.d', '1.2.3.04',
  '::', '::1', '1::', 'fd00::10', '2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7',
  '::ffff:10.1.2.3', '::10.1.2.3', '64:ff9b::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4::', ':1::', '1::2::3', ':::', '12345::',
  'fe80::1%eth0', 'fe80::1%', 'FD00::AbCd', 'g::1', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8', '1::2:3:4:5:6:7', '1:',
];

for (const text of texts) {
  test(`parseIp agrees with isIP on ${JSON.stringify(text)}`, (t) => {
    const parsed = parseIp(text);
    t.is(parsed?.family ?? 0, isIP(text));
  });
}

test('IPv4-mapped IPv6 connection addresses are read as IPv4; others are not', (t) => {
  t.deepEqual(parseConnectionIp('::ffff:10.1.2.3'), parseIp('10.1.2.3'));
  t.deepEqual(parseConnectionIp('::FFFF:a01:203'), parseIp('10.1.2.3'));
  t.is(parseConnectionIp('::10.1.2.3')?.family, 6);
  t.is(parseConnectionIp('64:ff9b::10.1.2.3')?.family, 6);
});

test('compileCidr refuses bad addresses and over-long prefixes', (t) => {
  t.is(compileCidr({ address: '10.0.0.300', length: 8 }), undefined);
  t.is(compileCidr({ address: '10.0.0.0', length: 33 }), undefined);
  t.is(compileCidr({ address: '::', length: 129 }), undefined);
  t.truthy(compileCidr({ address: '::', length: 0 }));
});

test('cidrContains agrees with node BlockList on random IPv4 and IPv6 prefixes', (t) => {
  const r = rng(7);
  const byte = (): number => Math.floor(r() * 256);
  const v4 = (): string => `10.${byte() & 3}.${byte()}.${byte()}`;
  const v6 = (): string => `fd00:${(byte() & 1).toString(16)}:${byte().toString(16)}::${byte().toString(16)}:${byte().toString(16)}`;
  let disagreements = 0;
  for (let i = 0; i < 2000; i++) {
    const six = i % 2 === 1;
    const address = six ? v6() : v4();
    const length = Math.floor(r() * ((six ? 128 : 32) + 1));
    const ip = six ? v6() : v4();
    const bl = new BlockList();
    bl.addSubnet(address, length, six ? 'ipv6' : 'ipv4');
    const c = compileCidr({ address, length });
    const parsed = parseIp(ip);
    if (!c || !parsed) return t.fail(`${address}/${length} or ${ip} did not parse`);
    if (cidrContains(c, parsed) !== bl.check(ip, six ? 'ipv6' : 'ipv4')) disagreements++;
  }
  t.is(disagreements, 0);
});

test('an IPv4 CIDR does not contain an IPv6 address and vice versa', (t) => {
  t.false(cidrContains(compileCidr({ address: '0.0.0.0', length: 0 })!, parseIp('::1')!));
  t.false(cidrContains(compileCidr({ address: '::', length: 0 })!, parseIp('10.0.0.1')!));
});
