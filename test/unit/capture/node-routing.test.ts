// Node routing checks (pure parts) and what ensureNodeRouting runs.
import test from 'ava';
import { silentLogger } from '../../../api/log.js';
import { ensureNodeRouting, findUplink, hasLocalRoute, hasMarkRule, interfaceWithAddress, portsReserved } from '../../../daemon/capture/node-routing.js';

test('hasMarkRule finds our rule only', (t) => {
  const rules = '0:\tfrom all lookup local\n32765:\tfrom all fwmark 0x1/0x1 lookup 100\n32766:\tfrom all lookup main\n';
  t.true(hasMarkRule(rules, 1));
  t.false(hasMarkRule(rules, 2));
  t.false(hasMarkRule(rules.replace('lookup 100', 'lookup 101'), 1));
  t.false(hasMarkRule('0:\tfrom all lookup local\n', 1));
});

test('hasLocalRoute', (t) => {
  t.true(hasLocalRoute('local default dev lo scope host \n'));
  t.true(hasLocalRoute('local 0.0.0.0/0 dev lo scope host\n'));
  t.false(hasLocalRoute('local default dev eth0 scope host\n'));
  t.false(hasLocalRoute(''));
});

const reserved: [string, boolean][] = [
  ['15000-15021\n', true],
  ['15001-15021', true],
  ['15000-15010,15011-15021', true],
  ['15001,15002-15021', true],
  ['15000-15020', false],
  ['', false],
  ['30000-32767', false],
];
for (const [list, want] of reserved) {
  test(`portsReserved(${JSON.stringify(list)}) = ${want}`, (t) => {
    t.is(portsReserved(list, 15001, 15021), want);
  });
}

test('ensureNodeRouting adds what is missing, and removes both on stop', async (t) => {
  const calls: string[] = [];
  const ip = (args: readonly string[]): Promise<string> => {
    calls.push(args.join(' '));
    if (args.includes('show') && args.includes('table')) return Promise.reject(new Error('FIB table does not exist'));
    return Promise.resolve(args.includes('show') ? '0:\tfrom all lookup local\n' : '');
  };
  const routing = await ensureNodeRouting(1, silentLogger(), ip);
  t.true(calls.includes('-4 rule add fwmark 0x1/0x1 lookup 100'));
  t.true(calls.includes('-4 route add local 0.0.0.0/0 dev lo table 100'));
  calls.length = 0;
  await routing.remove();
  t.deepEqual(calls, ['-4 rule del fwmark 0x1/0x1 lookup 100', '-4 route del local 0.0.0.0/0 dev lo table 100']);
});

test('ensureNodeRouting leaves an existing setup alone', async (t) => {
  const calls: string[] = [];
  const ip = (args: readonly string[]): Promise<string> => {
    calls.push(args.join(' '));
    if (args.includes('rule')) return Promise.resolve('32765:\tfrom all fwmark 0x1/0x1 lookup 100\n');
    return Promise.resolve('local default dev lo scope host\n');
  };
  await ensureNodeRouting(1, silentLogger(), ip);
  t.false(calls.some((c) => c.includes(' add ')));
});

test('interfaceWithAddress finds the uplink by the node IP', async (t) => {
  const out = [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '2: eth0@if12    inet 172.18.0.1/24 scope global eth0\\       valid_lft forever preferred_lft forever',
    '3: av6844d0909128@if2    inet 10.244.1.1/32 scope global av6844d0909128',
    '4: ens5    inet 172.18.0.10/24 brd 172.18.0.255 scope global ens5',
  ].join('\n');
  t.is(interfaceWithAddress(out, '172.18.0.1'), 'eth0');
  t.is(interfaceWithAddress(out, '172.18.0.10'), 'ens5');
  t.is(interfaceWithAddress(out, '10.244.1.1'), 'av6844d0909128');
  t.is(interfaceWithAddress(out, '172.18.0.2'), undefined);
  t.is(await findUplink('172.18.0.10', () => Promise.resolve(out)), 'ens5');
});
