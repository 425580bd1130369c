// planCapture: which links get the pod program and which pods are enrolled (table tests).
import test from 'ava';
import { isEmptyPlan, planCapture, type CaptureInput, type CapturePlan, type LocalPod } from '../../../daemon/capture/capture-plan.js';
import { ipv4ToNumber, type Route } from '../../../daemon/capture/route-table.js';

function route(cidr: string, iface: string): Route {
  const [ip, bits] = cidr.split('/') as [string, string];
  const prefixLength = Number(bits);
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return { iface, network: (ipv4ToNumber(ip)! & mask) >>> 0, mask, prefixLength };
}

const ROUTES = [route('0.0.0.0/0', 'eth0'), route('10.244.2.0/24', 'eth0'), route('10.244.1.2/32', 'va'), route('10.244.1.3/32', 'vb'), route('10.244.1.4/32', 'vc'), route('10.244.1.8/32', 'gone')];
const IFINDEXES = new Map([['va', 3], ['vb', 4], ['vc', 5]]);
const pod = (name: string, ip: string, enrolled: boolean): LocalPod => ({ name: `default/${name}`, ip, enrolled });

interface Case {
  name: string;
  pods: LocalPod[];
  attached?: [string, number][];
  enrolled?: [string, number][];
  ifindexes?: Map<string, number>;
  expect: { attach?: string[]; detach?: string[]; enroll?: string[]; unenroll?: string[]; unresolved?: string[] };
}

const cases: Case[] = [
  { name: 'first sync: every pod link gets the program, only mesh pods are enrolled',
    pods: [pod('a', '10.244.1.2', true), pod('b', '10.244.1.3', false)],
    expect: { attach: ['va:3', 'vb:4'], enroll: ['10.244.1.2:3'] } },
  { name: 'nothing changed: empty plan',
    pods: [pod('a', '10.244.1.2', true), pod('b', '10.244.1.3', false)], attached: [['va', 3], ['vb', 4]], enrolled: [['10.244.1.2', 3]],
    expect: {} },
  { name: 'a pod joins the mesh: enrolled, its link kept',
    pods: [pod('a', '10.244.1.2', true), pod('b', '10.244.1.3', true)], attached: [['va', 3], ['vb', 4]], enrolled: [['10.244.1.2', 3]],
    expect: { enroll: ['10.244.1.3:4'] } },
  { name: 'a pod leaves the mesh (label removed): un-enrolled, its link keeps the program',
    pods: [pod('a', '10.244.1.2', false), pod('b', '10.244.1.3', false)], attached: [['va', 3], ['vb', 4]], enrolled: [['10.244.1.2', 3]],
    expect: { unenroll: ['10.244.1.2'] } },
  { name: 'a pod is deleted: un-enrolled and its link detached',
    pods: [pod('b', '10.244.1.3', false)], attached: [['va', 3], ['vb', 4]], enrolled: [['10.244.1.2', 3]],
    expect: { unenroll: ['10.244.1.2'], detach: ['va:3'] } },
  { name: 'a pod link re-created with a new ifindex: re-attached and re-enrolled',
    pods: [pod('a', '10.244.1.2', true)], attached: [['va', 3]], enrolled: [['10.244.1.2', 3]], ifindexes: new Map([['va', 9]]),
    expect: { detach: ['va:3'], attach: ['va:9'], enroll: ['10.244.1.2:9'] } },
  { name: 'a pod routed through the uplink (not a pod link) is not captured',
    pods: [pod('x', '10.244.2.5', true)],
    expect: { unresolved: ['10.244.2.5'] } },
  { name: 'a pod whose link does not exist yet is retried',
    pods: [pod('g', '10.244.1.8', true), pod('a', '10.244.1.2', true)],
    expect: { attach: ['va:3'], enroll: ['10.244.1.2:3'], unresolved: ['10.244.1.8'] } },
  { name: 'two addresses on one link: one attach, both enrolled',
    pods: [pod('a', '10.244.1.2', true), pod('a2', '10.244.1.4', true)], ifindexes: new Map([['va', 3], ['vc', 3]]),
    expect: { attach: ['va:3', 'vc:3'], enroll: ['10.244.1.2:3', '10.244.1.4:3'] } },
  { name: 'no pods left: everything undone',
    pods: [], attached: [['va', 3], ['vb', 4]], enrolled: [['10.244.1.2', 3]],
    expect: { unenroll: ['10.244.1.2'], detach: ['va:3', 'vb:4'] } },
];

const links = (l: { iface: string; ifindex: number }[]): string[] => l.map((x) => `${x.iface}:${x.ifindex}`).sort();

for (const c of cases) {
  test(c.name, (t) => {
    const input: CaptureInput = {
      pods: c.pods, routes: ROUTES, ifindexes: c.ifindexes ?? IFINDEXES, excluded: new Set(['eth0', 'lo']),
      current: { attached: new Map(c.attached ?? []), enrolled: new Map(c.enrolled ?? []) },
    };
    const plan: CapturePlan = planCapture(input);
    t.deepEqual(links(plan.attach), [...(c.expect.attach ?? [])].sort());
    t.deepEqual(links(plan.detach), [...(c.expect.detach ?? [])].sort());
    t.deepEqual(plan.enroll.map((e) => `${e.ip}:${e.ifindex}`).sort(), [...(c.expect.enroll ?? [])].sort());
    t.deepEqual([...plan.unenroll].sort(), [...(c.expect.unenroll ?? [])].sort());
    t.deepEqual(plan.unresolved.map((u) => u.ip).sort(), [...(c.expect.unresolved ?? [])].sort());
    const changes = ['attach', 'detach', 'enroll', 'unenroll'].some((k) => (c.expect[k as keyof Case['expect']] ?? []).length > 0);
    t.is(isEmptyPlan(plan), !changes);
  });
}

test('unresolved pods say why', (t) => {
  const plan = planCapture({
    pods: [pod('x', '10.244.2.5', true), pod('g', '10.244.1.8', true)], routes: ROUTES, ifindexes: IFINDEXES,
    excluded: new Set(['eth0', 'lo']), current: { attached: new Map(), enrolled: new Map() },
  });
  t.regex(plan.unresolved.find((u) => u.ip === '10.244.2.5')!.reason, /goes through eth0/);
  t.regex(plan.unresolved.find((u) => u.ip === '10.244.1.8')!.reason, /link gone does not exist/);
});
