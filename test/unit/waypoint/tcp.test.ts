// TCP route selection (rule 80): port, destination subnets and source namespace; first
// match wins, entries ORed, conditions ANDed.
import test from 'ava';
import type { L7TcpRoute } from '../../../api/l7-model.js';
import type { TcpConnectionInfo } from '../../../waypoint/engine/index.js';
import { selectTcpRoute } from '../../../waypoint/engine/index.js';
import { compiled, tcpRoute } from './support.js';

const CONN: TcpConnectionInfo = { port: 9000, dstIp: '10.96.0.5', sourceNamespace: 'bar' };

const cases: { title: string; routes: L7TcpRoute[]; conn?: Partial<TcpConnectionInfo>; want: string | null }[] = [
  { title: 'rule 80: a tcp route matches on the port', routes: [tcpRoute('p8000', [{ port: 8000 }]), tcpRoute('p9000', [{ port: 9000 }])], want: 'p9000' },
  { title: 'rule 80: a tcp route without entries takes every connection', routes: [tcpRoute('all')], want: 'all' },
  { title: 'rule 80: the first matching tcp route wins', routes: [tcpRoute('first', [{ port: 9000 }]), tcpRoute('second')], want: 'first' },
  { title: 'rule 80: destination subnets contain the original destination', routes: [tcpRoute('net', [{ destinationSubnets: ['10.96.0.0/16'] }])], want: 'net' },
  { title: 'rule 80: a destination outside the subnets does not match', routes: [tcpRoute('net', [{ destinationSubnets: ['10.97.0.0/16', '10.96.0.6'] }])], want: null },
  { title: 'rule 80: an IPv4-mapped IPv6 destination is checked as IPv4', routes: [tcpRoute('net', [{ destinationSubnets: ['10.96.0.5/32'] }])], conn: { dstIp: '::ffff:10.96.0.5' }, want: 'net' },
  { title: 'rule 80: conditions in one entry are ANDed', routes: [tcpRoute('both', [{ port: 9000, sourceNamespace: 'other' }])], want: null },
  { title: 'rule 80: entries are ORed', routes: [tcpRoute('either', [{ port: 1 }, { sourceNamespace: 'bar' }])], want: 'either' },
  { title: 'rule 80: no tcp route matches: none selected', routes: [tcpRoute('p1', [{ port: 1 }])], want: null },
];
for (const c of cases) {
  test(c.title, (t) => {
    const sel = selectTcpRoute(compiled([], { tcp: c.routes }), { ...CONN, ...c.conn });
    t.is(sel?.route.name ?? null, c.want);
  });
}
