// eBPF capture for one node, assembled: the redirect program (loaded once), the node's
// routing for marked packets, the uplink program, the transparent listeners (as the
// daemon's DaemonNetwork) and the redirect manager that follows the daemon's state.
// Mode: tcx by default, i.e. fail-open (see native/README.md): if the daemon dies, its
// links close with it and enrolled pods' new connections go direct until it is back.
import { isIPv4 } from 'node:net';
import type { Logger } from '../../api/log.js';
import type { Workload } from '../../api/model.js';
import { attachIngress, loadRedirectProgram, DEFAULT_MARK, type AttachedProgram, type AttachMode, type RedirectProgram } from '../../native/lib/index.js';
import type { ProxyState } from '../state/proxy-state.js';
import type { LocalPod } from './capture-plan.js';
import { ensureNodeRouting, type NodeRouting } from './node-routing.js';
import { RedirectManager } from './redirect-manager.js';
import { TransparentNetwork } from './transparent-network.js';

/** What the daemon needs from a capture mechanism (the loopback test mesh has none). */
export interface TrafficCapture {
  /** Called after every applied state update. */
  sync(state: ProxyState): void;
  dump(): unknown;
  /** Shutdown, step 1: new connections are no longer captured; established proxied ones still are. */
  stopCapturingNew(): void;
  /** Shutdown, step 2 (after draining): removes everything. */
  close(): Promise<void>;
}

export interface EbpfCaptureOptions {
  node: string;
  nodeIp: string;
  /** The node's link to other nodes (inbound capture). */
  uplink: string;
  mode?: AttachMode | 'auto';
  log: Logger;
  /** Service VIP range to capture for local pods outside the mesh (no kube-proxy), e.g. 10.96.0.0/16. */
  serviceCidr?: string;
  /** The compiled redirect program (default: native/build). */
  objectPath?: string;
}

/** The pods of `node` in `state`, with whether each is in the mesh (IPv4 addresses only). */
export function localPods(state: ProxyState, node: string): LocalPod[] {
  const out: LocalPod[] = [];
  const add = (w: Workload): void => {
    for (const ip of w.addresses) {
      if (isIPv4(ip)) out.push({ name: `${w.namespace}/${w.name}`, ip, enrolled: w.tunnelProtocol === 'HBONE' });
    }
  };
  for (const w of state.workloadsByUid.values()) if (w.node === node) add(w);
  return out;
}

export class EbpfCapture implements TrafficCapture {
  readonly network: TransparentNetwork;
  private readonly manager: RedirectManager;

  private constructor(
    private readonly opts: EbpfCaptureOptions,
    private readonly program: RedirectProgram,
    private readonly uplink: AttachedProgram,
    private readonly routing: NodeRouting,
  ) {
    this.network = new TransparentNetwork({ program, nodeIp: opts.nodeIp });
    this.manager = new RedirectManager({ program, uplink: opts.uplink, mode: opts.mode ?? 'tcx', log: opts.log });
  }

  /** Loads and configures the program, sets up node routing and attaches the uplink program. */
  static async start(opts: EbpfCaptureOptions): Promise<EbpfCapture> {
    const program = loadRedirectProgram(opts.objectPath);
    let routing: NodeRouting | undefined;
    try {
      program.configure({ nodeIp: opts.nodeIp, mark: DEFAULT_MARK, onMissingListener: 'drop', serviceCidr: opts.serviceCidr });
      routing = await ensureNodeRouting(DEFAULT_MARK, opts.log);
      const uplink = attachIngress(opts.uplink, program.uplinkIngress, { mode: opts.mode ?? 'tcx' });
      opts.log.info({ uplink: opts.uplink, mode: uplink.mode, nodeIp: opts.nodeIp }, 'eBPF capture started');
      return new EbpfCapture(opts, program, uplink, routing);
    } catch (err) {
      await routing?.remove();
      program.close();
      throw err;
    }
  }

  sync(state: ProxyState): void {
    this.manager.sync(localPods(state, this.opts.node));
  }

  dump(): unknown {
    const stats = Object.fromEntries(Object.entries(this.program.stats()).map(([k, v]) => [k, v.toString()]));
    return { uplink: { iface: this.opts.uplink, mode: this.uplink.mode }, ...this.manager.dump(), stats };
  }

  stopCapturingNew(): void {
    this.program.configure({ nodeIp: this.opts.nodeIp, mark: DEFAULT_MARK, onMissingListener: 'pass', serviceCidr: this.opts.serviceCidr });
  }

  /** Detaches everything (enrolled pods' new connections then go direct) and removes the node routing. */
  async close(): Promise<void> {
    this.manager.close();
    try {
      this.uplink.detach();
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'detaching the uplink program failed');
    }
    await this.routing.remove();
    this.program.close();
  }
}
