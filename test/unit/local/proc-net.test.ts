// /proc/<pid>/net/tcp{,6} parsing: which ports listen (table tests on real kernel output).
import test from 'ava';
import { listeningPorts, listeningPortsOf, parseProcNetTcp } from '../../../cli/local/proc-net.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41012 1 0000000000000000 100 0 0 10 0
   1: 0100007F:3A98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41013 1 0000000000000000 100 0 0 10 0
   2: 0201F40A:0050 0301F40A:D6D8 01 00000000:00000000 00:00000000 00000000     0        0 41099 1 0000000000000000 20 4 30 10 -1
   3: 0201F40A:9C40 0202F40A:1F90 06 00000000:00000000 03:00000F8B 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51234 1 0000000000000000 100 0 0 10 0
`;

test('parseProcNetTcp: addresses, ports and states', (t) => {
  t.deepEqual(parseProcNetTcp(TCP), [
    { address: '0.0.0.0', port: 80, state: '0A' },
    { address: '127.0.0.1', port: 15000, state: '0A' },
    { address: '10.244.1.2', port: 80, state: '01' },
    { address: '10.244.1.2', port: 40000, state: '06' },
  ]);
  t.deepEqual(parseProcNetTcp(TCP6), [{ address: '00000000000000000000000000000000', port: 8080, state: '0A' }]);
});

test('listeningPortsOf', (t) => {
  const cases: [string, string[], number[]][] = [
    ['v4 listeners only (not established or time-wait)', [TCP], [80, 15000]],
    ['v4 and v6, sorted, unique', [TCP, TCP6, TCP], [80, 8080, 15000]],
    ['header only', [TCP.split('\n')[0]!], []],
    ['empty', [''], []],
    ['garbage lines are skipped', ['header\n 0: nonsense\n 1: 00000000:0050 00000000:0000 ZZ\n 2: 00000000:0051 00000000:0000 0A x'], [81]],
  ];
  for (const [name, texts, want] of cases) t.deepEqual(listeningPortsOf(...texts), want, name);
});

test('listeningPorts of a process that does not exist is undefined; of this one, a list', (t) => {
  t.is(listeningPorts(2 ** 22 + 12345), undefined);
  t.true(Array.isArray(listeningPorts(process.pid)));
});
