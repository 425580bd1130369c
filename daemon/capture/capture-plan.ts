// What the redirect manager must change so that the kernel matches the daemon's state
// (pure). Every pod of this node gets the pod program on its host-side link, enrolled or
// not (a same-node client outside the mesh must still be captured on its way to an
// enrolled pod); enrolled pods' addresses go into the program's pod map with the index
// of that link (the program drops packets with an enrolled source arriving elsewhere).
import { interfaceFor, type Route } from './route-table.js';

export interface LocalPod {
  /** "namespace/name", for messages. */
  name: string;
  ip: string;
  enrolled: boolean;
}

export interface PodLink { iface: string; ifindex: number }

export interface CaptureState {
  /** Pod links carrying the pod program: name → ifindex it was attached to. */
  attached: ReadonlyMap<string, number>;
  /** Enrolled pod IPs → the ifindex recorded in the pod map. */
  enrolled: ReadonlyMap<string, number>;
}

export interface CaptureInput {
  pods: readonly LocalPod[];
  routes: readonly Route[];
  /** Current ifindex of each interface name (missing: the link does not exist). */
  ifindexes: ReadonlyMap<string, number>;
  /** Links that are never pod links (the uplink, lo). */
  excluded: ReadonlySet<string>;
  current: CaptureState;
}

export interface CapturePlan {
  attach: PodLink[];
  /** Links to detach: gone from the state, or re-created with a new ifindex. */
  detach: PodLink[];
  enroll: { ip: string; ifindex: number }[];
  unenroll: string[];
  /** Pods that cannot be captured yet (no route to a pod link): retried on the next sync. */
  unresolved: { pod: string; ip: string; reason: string }[];
}

/** The link of a pod, or why there is none. */
export function podLinkOf(ip: string, input: Pick<CaptureInput, 'routes' | 'ifindexes' | 'excluded'>): PodLink | { reason: string } {
  const iface = interfaceFor(ip, input.routes);
  if (iface === undefined) return { reason: 'no route to the pod' };
  if (input.excluded.has(iface)) return { reason: `the route to the pod goes through ${iface}, not a pod link` };
  const ifindex = input.ifindexes.get(iface);
  if (ifindex === undefined) return { reason: `link ${iface} does not exist` };
  return { iface, ifindex };
}

export function planCapture(input: CaptureInput): CapturePlan {
  const wantLinks = new Map<string, number>();
  const wantEnrolled = new Map<string, number>();
  const unresolved: CapturePlan['unresolved'] = [];
  for (const pod of input.pods) {
    const link = podLinkOf(pod.ip, input);
    if ('reason' in link) {
      unresolved.push({ pod: pod.name, ip: pod.ip, reason: link.reason });
      continue;
    }
    wantLinks.set(link.iface, link.ifindex);
    if (pod.enrolled) wantEnrolled.set(pod.ip, link.ifindex);
  }
  const attach: PodLink[] = [];
  const detach: PodLink[] = [];
  for (const [iface, ifindex] of input.current.attached) {
    if (wantLinks.get(iface) !== ifindex) detach.push({ iface, ifindex });
  }
  for (const [iface, ifindex] of wantLinks) {
    if (input.current.attached.get(iface) !== ifindex) attach.push({ iface, ifindex });
  }
  const enroll: CapturePlan['enroll'] = [];
  const unenroll: string[] = [];
  for (const ip of input.current.enrolled.keys()) {
    if (!wantEnrolled.has(ip)) unenroll.push(ip);
  }
  for (const [ip, ifindex] of wantEnrolled) {
    if (input.current.enrolled.get(ip) !== ifindex) enroll.push({ ip, ifindex });
  }
  return { attach, detach, enroll, unenroll, unresolved };
}

/** Whether a plan changes nothing. */
export function isEmptyPlan(p: CapturePlan): boolean {
  return p.attach.length === 0 && p.detach.length === 0 && p.enroll.length === 0 && p.unenroll.length === 0;
}
