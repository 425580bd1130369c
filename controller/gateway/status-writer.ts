// Writes the status of waypoint Gateways back to the API server, as Istio does: for each
// Gateway of class istio-waypoint the status waypointStatus computes from the Gateway,
// its Service and the pods that Service selects (waypoint-status-input.ts; pods read by
// pod-view.ts), applied to the `status` subresource (server-side apply, see
// sources/kube/kube-apply.ts). Run by the gateway deployment controller after each pass's
// applies, so Service and Pod changes (store changes) re-run it.
//
// - A status is written only when it differs (status-changes.ts: lastTransitionTime not
//   compared) from what the Gateway holds, or, while the store has not yet seen our last
//   write come back (same resourceVersion as when it was sent, or the one the write
//   returned), from what was last written. Unchanged inputs write nothing.
// - lastTransitionTime stays while a condition's status stays; conditions carry the
//   Gateway's generation as observedGeneration.
// - A failed write is logged (AMBIT_ERR_KUBE_APPLY, subresource status) and counted; the
//   caller retries with its backoff. Other Gateways are still written.
// - Gateways of other classes are never written. Nothing is cleared when a Gateway stops
//   being a waypoint.
import type { Logger } from '../../api/log.js';
import { KINDS, type ConfigView } from '../config/kinds.js';
import type { KubeObject } from '../config/resource.js';
import { statusCodeOf } from '../sources/kube/kube-request.js';
import { rec, str } from '../translate/l7/common.js';
import { isWaypointGateway } from '../translate/waypoints.js';
import type { ApplyObject } from './deployment-controller.js';
import { selectablePod } from './pod-view.js';
import { statusFingerprint, withTransitionTimes } from './status-changes.js';
import { waypointStatus, type GatewayStatus } from './waypoint-status.js';
import { waypointStatusInput, type SelectablePod } from './waypoint-status-input.js';

export interface GatewayStatusWriterOptions {
  view: ConfigView;
  /** Applies one object's status (KubeApplier.applyStatus in Kubernetes); resolves with the stored object. */
  applyStatus: ApplyObject;
  log: Logger;
  /** The clock for lastTransitionTime; default the wall clock. */
  now?: () => Date;
}

interface Written {
  /** The Gateway's resourceVersion the status was computed from, and the one the write returned. */
  sentAt: string;
  storedAs: string | undefined;
  fingerprint: string;
  status: GatewayStatus;
}

/** RFC 3339 in seconds, as metav1.Time is serialized. */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The server-side apply body for a Gateway's status: what names the object, and the status. */
export function gatewayStatusPatch(gateway: KubeObject, status: GatewayStatus): KubeObject {
  return {
    apiVersion: gateway.apiVersion,
    kind: gateway.kind,
    metadata: { name: gateway.metadata.name, namespace: gateway.metadata.namespace ?? 'default' },
    status: { ...status },
  };
}

export class GatewayStatusWriter {
  private readonly log: Logger;
  /** "ns/name" → the last successful write. */
  private readonly written = new Map<string, Written>();

  constructor(private readonly opts: GatewayStatusWriterOptions) {
    this.log = opts.log;
  }

  /** Writes every waypoint Gateway's status that changed; resolves with the number of failed writes. */
  async writeAll(signal: AbortSignal): Promise<number> {
    const { view } = this.opts;
    const now = kubeTime(this.opts.now?.() ?? new Date());
    const podsByNamespace = new Map<string, SelectablePod[]>();
    const podsIn = (ns: string): SelectablePod[] => {
      let pods = podsByNamespace.get(ns);
      if (!pods) {
        pods = view.list(KINDS.pod).filter((p) => (p.metadata.namespace ?? 'default') === ns).map(selectablePod);
        podsByNamespace.set(ns, pods);
      }
      return pods;
    };
    const seen = new Set<string>();
    let failed = 0;
    for (const gw of view.list(KINDS.gateway)) {
      if (signal.aborted) break;
      if (!isWaypointGateway(gw)) continue;
      const ns = gw.metadata.namespace ?? 'default';
      const key = `${ns}/${gw.metadata.name}`;
      seen.add(key);
      const status = waypointStatus(waypointStatusInput(gw, view.get(KINDS.service, ns, gw.metadata.name), podsIn(ns)));
      if (status && !(await this.write(key, gw, status, now, signal))) failed++;
    }
    if (!signal.aborted) for (const key of this.written.keys()) if (!seen.has(key)) this.written.delete(key);
    return failed;
  }

  /** Writes one status unless unchanged; false when the write failed. */
  private async write(key: string, gw: KubeObject, desired: GatewayStatus, now: string, signal: AbortSignal): Promise<boolean> {
    const rv = gw.metadata.resourceVersion ?? '';
    const last = this.written.get(key);
    // Our last write has not come back through the watch yet: it, not the object, is the previous status.
    const pending = last !== undefined && (last.sentAt === rv || last.storedAs === rv);
    const previous: unknown = pending ? last.status : gw.status;
    const fingerprint = statusFingerprint(desired);
    if (fingerprint === (pending ? last.fingerprint : statusFingerprint(previous))) return true;
    const status = withTransitionTimes(desired, previous, now);
    try {
      const stored = await this.opts.applyStatus(gatewayStatusPatch(gw, status), signal);
      this.written.set(key, { sentAt: rv, storedAs: str(rec(rec(stored)?.metadata)?.resourceVersion), fingerprint, status });
      const programmed = status.conditions.find((c) => c.type === 'Programmed');
      this.log.info({ gateway: key, programmed: programmed && `${programmed.status}/${programmed.reason}` }, 'waypoint Gateway status written');
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      this.log.warn({
        code: 'AMBIT_ERR_KUBE_APPLY', gateway: key, kind: gw.kind, subresource: 'status',
        statusCode: statusCodeOf(err), err: err instanceof Error ? err.message : String(err),
      }, 'status apply failed; will retry');
      return false;
    }
  }
}
