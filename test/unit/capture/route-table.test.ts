// /proc/net/route parsing and longest-prefix lookup (table tests).
import test from 'ava';
import { interfaceFor, ipv4ToNumber, parseRouteTable } from '../../../daemon/capture/route-table.js';

// A node of `ambit local`: uplink eth0, two pod links, a route to another node's pods, the
// default route, and a route that is not up (flags 0).
const PROC_NET_ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000012AC\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t0002F40A\t020012AC\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0
av6844d0909128\t0201F40A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0
av84e4c3cf014b\t0301F40A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0
down0\t0901F40A\t00000000\t0000\t0\t0\t0\tFFFFFFFF\t0\t0\t0
garbage line
`;

test('parses routes that are up, in host order', (t) => {
  const routes = parseRouteTable(PROC_NET_ROUTE);
  t.is(routes.length, 5);
  t.deepEqual(routes[3], { iface: 'av6844d0909128', network: ipv4ToNumber('10.244.1.2')!, mask: 0xffffffff, prefixLength: 32 });
  t.is(routes[1]!.prefixLength, 24);
  t.is(routes[0]!.prefixLength, 0);
});

const lookups: [string, string | undefined][] = [
  ['10.244.1.2', 'av6844d0909128'],
  ['10.244.1.3', 'av84e4c3cf014b'],
  ['10.244.2.7', 'eth0'], // another node's pod: via the uplink
  ['172.18.0.9', 'eth0'],
  ['10.244.1.9', 'eth0'], // its /32 route is not up: only the default route matches
  ['8.8.8.8', 'eth0'],
  ['not-an-ip', undefined],
  ['10.244.1', undefined],
  ['10.244.1.256', undefined],
];
for (const [ip, iface] of lookups) {
  test(`interfaceFor ${ip} → ${iface ?? 'none'}`, (t) => {
    t.is(interfaceFor(ip, parseRouteTable(PROC_NET_ROUTE)), iface);
  });
}

test('no default route: an unrouted address has no interface', (t) => {
  const routes = parseRouteTable(PROC_NET_ROUTE).filter((r) => r.prefixLength > 0);
  t.is(interfaceFor('8.8.8.8', routes), undefined);
});
