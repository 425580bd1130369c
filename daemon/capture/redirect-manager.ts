// Keeps the kernel in line with the daemon's state: the pod program on every local pod's
// link, enrolled pods in the program's pod map. Each sync plans (capture-plan.ts, pure)
// and applies the difference; pods that cannot be captured yet (their link or route not
// there yet) and failed operations are retried a second later. Nothing here restarts a
// pod or touches an established connection: the program only assigns new connections.
import type { Logger } from '../../api/log.js';
import { attachIngress, interfaceIndex, type AttachedProgram, type AttachMode, type RedirectProgram } from '../../native/lib/index.js';
import { isEmptyPlan, planCapture, type CapturePlan, type LocalPod } from './capture-plan.js';
import { readRouteTable, type Route } from './route-table.js';

export interface RedirectManagerOptions {
  program: RedirectProgram;
  uplink: string;
  mode: AttachMode | 'auto';
  log: Logger;
  retryMs?: number;
  /** The routing table (default: /proc/self/net/route). */
  readRoutes?: () => Route[];
}

export interface RedirectDump {
  podLinks: { iface: string; ifindex: number; mode: string }[];
  enrolled: { ip: string; ifindex: number }[];
  unresolved: CapturePlan['unresolved'];
}

export class RedirectManager {
  private readonly links = new Map<string, AttachedProgram>();
  private readonly enrolled = new Map<string, number>();
  private pods: readonly LocalPod[] = [];
  private unresolved: CapturePlan['unresolved'] = [];
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RedirectManagerOptions) {}

  /** Makes the kernel match `pods` (all pods of this node, enrolled or not). */
  sync(pods: readonly LocalPod[]): void {
    this.pods = pods;
    this.apply();
  }

  dump(): RedirectDump {
    return {
      podLinks: [...this.links].map(([iface, a]) => ({ iface, ifindex: a.ifindex, mode: a.mode })),
      enrolled: [...this.enrolled].map(([ip, ifindex]) => ({ ip, ifindex })),
      unresolved: this.unresolved,
    };
  }

  /** Un-enrolls every pod and detaches every pod link. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const ip of this.enrolled.keys()) this.safely(`un-enroll ${ip}`, () => this.opts.program.enrolledPods.remove(ip));
    this.enrolled.clear();
    for (const a of this.links.values()) this.safely(`detach ${a.target}`, () => a.detach());
    this.links.clear();
  }

  private apply(): void {
    if (this.closed) return;
    const { program, log } = this.opts;
    const routes = (this.opts.readRoutes ?? readRouteTable)();
    const excluded = new Set([this.opts.uplink, 'lo']);
    const ifindexes = new Map<string, number>();
    for (const iface of new Set(routes.map((r) => r.iface))) {
      if (excluded.has(iface)) continue;
      try {
        ifindexes.set(iface, interfaceIndex(iface));
      } catch {
        // the link went away between reading the routes and now: not a pod link any more
      }
    }
    const current = { attached: new Map([...this.links].map(([iface, a]) => [iface, a.ifindex])), enrolled: this.enrolled };
    const plan = planCapture({ pods: this.pods, routes, ifindexes, excluded, current });
    let failed = false;
    for (const ip of plan.unenroll) {
      this.safely(`un-enroll ${ip}`, () => program.enrolledPods.remove(ip));
      this.enrolled.delete(ip);
      log.info({ ip }, 'pod un-enrolled: its new connections are no longer captured');
    }
    for (const l of plan.detach) {
      this.safely(`detach ${l.iface}`, () => this.links.get(l.iface)?.detach());
      this.links.delete(l.iface);
    }
    for (const l of plan.attach) {
      try {
        const attached = attachIngress(l.ifindex, program.podIngress, { mode: this.opts.mode });
        this.links.set(l.iface, attached);
        log.debug({ link: l.iface, ifindex: l.ifindex, mode: attached.mode }, 'pod program attached');
      } catch (err) {
        failed = true;
        log.error({ link: l.iface, err: (err as Error).message }, 'cannot attach the pod program; retrying');
      }
    }
    const attachedIfindexes = new Set([...this.links.values()].map((a) => a.ifindex));
    for (const e of plan.enroll) {
      if (!attachedIfindexes.has(e.ifindex)) continue; // its link has no program yet: retried
      try {
        program.enrolledPods.add(e.ip, { ifindex: e.ifindex });
        this.enrolled.set(e.ip, e.ifindex);
        const pod = this.pods.find((p) => p.ip === e.ip);
        log.info({ pod: pod?.name, ip: e.ip, ifindex: e.ifindex }, 'pod enrolled: its new connections are captured');
      } catch (err) {
        failed = true;
        log.error({ ip: e.ip, err: (err as Error).message }, 'cannot enroll pod; retrying');
      }
    }
    const newlyUnresolved = plan.unresolved.filter((u) => !this.unresolved.some((o) => o.ip === u.ip && o.reason === u.reason));
    for (const u of newlyUnresolved) log.info(u, 'pod cannot be captured yet; retrying');
    this.unresolved = plan.unresolved;
    if (!isEmptyPlan(plan)) log.debug({ podLinks: this.links.size, enrolled: this.enrolled.size }, 'capture updated');
    this.scheduleRetry(failed || plan.unresolved.length > 0 || plan.enroll.some((e) => !attachedIfindexes.has(e.ifindex)));
  }

  private scheduleRetry(needed: boolean): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    if (!needed || this.closed) return;
    this.retry = setTimeout(() => this.apply(), this.opts.retryMs ?? 1_000);
    this.retry.unref();
  }

  private safely(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, `${what} failed`);
    }
  }
}
