// The gateway deployment controller (Istio's, for class istio-waypoint): every waypoint
// Gateway in the store gets its ServiceAccount, Deployment and Service
// (waypointObjects), and every namespace holding one gets the mesh root as the
// `istio-ca-root-cert` ConfigMap the waypoint pods mount. Objects are written with
// server-side apply, so applying again is harmless and a field someone else changed is
// taken back.
//
// - Runs after store changes, debounced like the model rebuild; a Gateway is applied
//   again only when it changed (anything but its status: writing the status changes the
//   resourceVersion, not what to deploy) or what it renders to changed.
// - With `applyStatus`, each pass then writes the status of every waypoint Gateway that
//   changed (GatewayStatusWriter, status-writer.ts: Accepted, Programmed, addresses, from
//   the Gateway, its Service and the Service's pods). Every store change triggers a
//   pass, Service and Pod changes included, so the status follows them.
// - A deleted Gateway is forgotten: its objects carry an owner reference to it, so the
//   API server's garbage collector deletes them. Nothing is deleted from here. The
//   root-certificate ConfigMap is shared by a namespace's waypoints and stays.
// - A failed apply (object or status) is logged (AMBIT_ERR_KUBE_APPLY) and retried with
//   backoff; other Gateways are still applied. Nothing here throws into the controller.
// - Every `resyncMs` everything is applied again (drift: someone deleted a Deployment).
import type { Logger } from '../../api/log.js';
import { KINDS, type ConfigView } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import { Debouncer } from '../discovery/debouncer.js';
import { Backoff } from '../sources/kube/backoff.js';
import { statusCodeOf } from '../sources/kube/kube-request.js';
import { isWaypointGateway } from '../translate/waypoints.js';
import { canonicalJson } from '../validation/canonical-json.js';
import { GatewayStatusWriter } from './status-writer.js';
import { rootCertConfigMap, waypointObjects, type WaypointDeploymentOptions } from './waypoint-deployment.js';

/** Writes one object (server-side apply); KubeApplier in Kubernetes, a fake in tests. */
export type ApplyObject = (obj: KubeObject, signal: AbortSignal) => Promise<unknown>;

export interface GatewayDeploymentControllerOptions {
  view: ConfigView;
  apply: ApplyObject;
  /** Writes a Gateway's status subresource (KubeApplier.applyStatus); without it no status is written. */
  applyStatus?: ApplyObject;
  /** The clock of the status conditions' lastTransitionTime; default the wall clock. */
  now?: () => Date;
  log: Logger;
  /** The mesh root (PEM) published in every namespace with a waypoint. */
  rootCertPem: string;
  waypoint?: WaypointDeploymentOptions;
  debounceMs?: number;
  debounceMaxMs?: number;
  /** Retry backoff after a failed apply; default 500 ms doubling up to 30 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Apply everything again this often; default 10 min; 0 = never. */
  resyncMs?: number;
}

/** A set of objects applied together and remembered by a fingerprint of what was sent. */
interface Unit {
  key: string;
  fingerprint: string;
  objects: KubeObject[];
  gateway?: string;
}

export class GatewayDeploymentController {
  private readonly log: Logger;
  private readonly debouncer: Debouncer;
  private readonly backoff: Backoff;
  private readonly stopper = new AbortController();
  /** Unit key → fingerprint of its last successful apply. */
  private readonly applied = new Map<string, string>();
  private readonly warnedNoUid = new Set<string>();
  private readonly statusWriter: GatewayStatusWriter | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: GatewayDeploymentControllerOptions) {
    this.log = opts.log.child({ component: 'gateway-deployment' });
    this.debouncer = new Debouncer(() => this.run(), opts.debounceMs ?? 100, opts.debounceMaxMs ?? 1000);
    this.backoff = new Backoff({ initialMs: opts.backoff?.initialMs ?? 500, maxMs: opts.backoff?.maxMs ?? 30_000 });
    if (opts.applyStatus) {
      this.statusWriter = new GatewayStatusWriter({ view: opts.view, applyStatus: opts.applyStatus, log: this.log, ...(opts.now ? { now: opts.now } : {}) });
    }
  }

  /** Applies what the store holds now, then follows changes (trigger()). */
  start(): void {
    if (this.started || this.stopper.signal.aborted) return;
    this.started = true;
    const resync = this.opts.resyncMs ?? 600_000;
    if (resync > 0) {
      this.resyncTimer = setInterval(() => {
        this.applied.clear();
        this.run();
      }, resync).unref();
    }
    this.run();
  }

  /** The configuration changed; a no-op before start() and after stop(). */
  trigger(): void {
    if (this.started && !this.stopper.signal.aborted) this.debouncer.trigger();
  }

  /** Runs a pending pass now and resolves when no pass is running (tests). */
  async settle(): Promise<void> {
    this.debouncer.flush();
    while (this.running) await this.running;
  }

  /** Ends timers and any request in flight. */
  async stop(): Promise<void> {
    this.stopper.abort();
    this.debouncer.cancel();
    clearTimeout(this.retryTimer);
    clearInterval(this.resyncTimer);
    await this.running;
  }

  private run(): void {
    if (this.stopper.signal.aborted) return;
    if (this.running) {
      this.again = true; // picked up when the current pass ends
      return;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = this.reconcile()
      .catch((err: unknown) => this.log.error({ err }, 'gateway deployment pass failed unexpectedly'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.run();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const units = this.desired();
    for (const key of this.applied.keys()) if (!units.has(key)) this.applied.delete(key);
    let failed = 0;
    for (const unit of units.values()) {
      if (this.stopper.signal.aborted) return;
      if (this.applied.get(unit.key) === unit.fingerprint) continue;
      if (await this.applyUnit(unit)) this.applied.set(unit.key, unit.fingerprint);
      else failed++;
    }
    if (this.statusWriter && !this.stopper.signal.aborted) failed += await this.statusWriter.writeAll(this.stopper.signal);
    if (this.stopper.signal.aborted) return;
    if (failed === 0) {
      this.backoff.reset();
      return;
    }
    const retryMs = this.backoff.next();
    this.log.info({ failed, retryMs }, 'retrying failed waypoint applies and status writes');
    this.retryTimer = setTimeout(() => this.run(), retryMs);
  }

  private async applyUnit(unit: Unit): Promise<boolean> {
    for (const obj of unit.objects) {
      try {
        await this.opts.apply(obj, this.stopper.signal);
      } catch (err) {
        if (this.stopper.signal.aborted) return false;
        this.log.warn({
          code: 'AMBIT_ERR_KUBE_APPLY', gateway: unit.gateway, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name,
          statusCode: statusCodeOf(err), err: err instanceof Error ? err.message : String(err),
        }, 'server-side apply failed; will retry');
        return false;
      }
    }
    this.log.info({ gateway: unit.gateway, namespace: unit.objects[0]?.metadata.namespace, objects: unit.objects.map((o) => `${o.kind}/${o.metadata.name}`) },
      unit.gateway ? 'waypoint objects applied' : 'root certificate published');
    return true;
  }

  /** What should exist: the root ConfigMap of each namespace with a waypoint first, then each waypoint's objects. */
  private desired(): Map<string, Unit> {
    const namespaces = new Map<string, Unit>();
    const gateways: Unit[] = [];
    for (const gw of this.opts.view.list(KINDS.gateway)) {
      if (!isWaypointGateway(gw)) continue;
      const namespace = gw.metadata.namespace ?? 'default';
      const name = `${namespace}/${gw.metadata.name}`;
      if (!gw.metadata.uid) {
        // An owner reference needs the uid; the API server always sets one.
        if (!this.warnedNoUid.has(name)) this.log.warn({ gateway: name }, 'waypoint Gateway has no metadata.uid; not deploying it');
        this.warnedNoUid.add(name);
        continue;
      }
      const objects = waypointObjects({ ...gw, metadata: { ...gw.metadata, namespace } }, this.opts.waypoint);
      gateways.push({ key: `gateway:${name}`, gateway: name, objects, fingerprint: `${gatewayFingerprint(gw)}|${JSON.stringify(objects)}` });
      if (!namespaces.has(namespace)) {
        const cm = rootCertConfigMap(namespace, this.opts.rootCertPem);
        namespaces.set(namespace, { key: `root-cert:${namespace}`, objects: [cm], fingerprint: JSON.stringify(cm) });
      }
    }
    return new Map([...namespaces.values(), ...gateways].map((u) => [u.key, u]));
  }
}

/**
 * The Gateway but for its status and bookkeeping (resourceVersion, managedFields), in
 * key order (a listed and a watched copy order their fields differently): a status
 * write is no reason to apply again.
 */
function gatewayFingerprint(gw: KubeObject): string {
  return canonicalJson({ ...gw, status: undefined, metadata: { ...gw.metadata, resourceVersion: undefined, managedFields: undefined } });
}
