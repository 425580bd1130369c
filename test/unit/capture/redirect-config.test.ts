// The redirect program's config value (struct ambit_config in bpf/redirect.h), byte for byte.
import test from 'ava';
import { MAPS, encodeConfig, ipv4Cidr } from '../../../native/lib/redirect-layout.js';

test('config without a Service range: node IP, mark, flags; range off', (t) => {
  const buf = encodeConfig('172.18.0.1', 1, 1);
  t.is(buf.length, MAPS.config.valueSize);
  t.deepEqual([...buf.subarray(0, 4)], [172, 18, 0, 1]);
  t.deepEqual([...buf.subarray(16, 24)], [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('config with a Service range: network and mask in network order', (t) => {
  const buf = encodeConfig('172.18.0.1', 1, 0, '10.96.0.0/16');
  t.deepEqual([...buf.subarray(16, 20)], [10, 96, 0, 0]);
  t.deepEqual([...buf.subarray(20, 24)], [255, 255, 0, 0]);
});

test('host bits of the range are cleared', (t) => {
  const { network, mask } = ipv4Cidr('10.96.7.9/20');
  t.deepEqual([...network], [10, 96, 0, 0]);
  t.deepEqual([...mask], [255, 255, 240, 0]);
});

for (const bad of ['10.96.0.0', '10.96.0.0/0', '10.96.0.0/33', 'x/16', '::1/64']) {
  test(`invalid range ${bad} is a RangeError`, (t) => {
    t.throws(() => ipv4Cidr(bad), { instanceOf: RangeError });
  });
}
