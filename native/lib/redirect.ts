// The Ambit redirect program (bpf/redirect.bpf.c) with meaning attached to its maps:
// configuration, the daemon's listener sockets, enrolled pods and counters.
import { AmbitError } from '../../api/errors.js';
import type { NativeBinding } from './binding.js';
import { BpfObject, type BpfMap, type BpfProgram } from './bpf-object.js';
import { check } from './errors.js';
import {
  CFG_DROP_WITHOUT_LISTENER, decodePod, encodeConfig, encodePod, ipv4Bytes, ipv4String, LISTENER_KEYS, MAPS,
  PROGRAM_POD_INGRESS, PROGRAM_UPLINK_INGRESS, readU64, STAT_NAMES, u32, u64,
  type ListenerKind, type MapLayout, type StatName,
} from './redirect-layout.js';

export interface RedirectConfig {
  /** The node's IPv4 address: packets addressed to it are never captured. */
  nodeIp: string;
  /** Mark OR-ed into captured packets; must match the node's `ip rule fwmark`. Default 0x1. */
  mark?: number;
  /**
   * A new connection whose listener is missing from the sockmap (daemon restarting, or
   * dead while a netlink filter keeps the program attached): 'drop' the SYN (default;
   * nothing bypasses the mesh) or 'pass' it uncaptured.
   */
  onMissingListener?: 'drop' | 'pass';
  /**
   * Service VIP range (e.g. 10.96.0.0/16): new connections from local pods that are not
   * enrolled to it are captured too (for a node without kube-proxy). Default: off.
   */
  serviceCidr?: string;
}

export type RedirectStats = Record<StatName, bigint>;

export const DEFAULT_MARK = 0x1;

/** The set of enrolled pod IPv4 addresses (map ambit_pods). */
export class EnrolledPods {
  constructor(private readonly map: BpfMap) {}

  /**
   * Enrolls a pod. `ifindex` is the pod's host-side veth in the node namespace: packets
   * with the pod's source address arriving on any other interface are dropped
   * (anti-spoofing). Omit it (0) only when the interface is not known.
   */
  add(ip: string, opts: { ifindex?: number } = {}): void {
    const ifindex = opts.ifindex ?? 0;
    if (!Number.isInteger(ifindex) || ifindex < 0 || ifindex > 0xffffffff) throw new RangeError(`invalid ifindex ${ifindex}`);
    this.map.update(ipv4Bytes(ip), encodePod(ifindex));
  }

  /** Un-enrolls; true when the pod was enrolled. New connections are no longer captured. */
  remove(ip: string): boolean {
    return this.map.delete(ipv4Bytes(ip));
  }

  has(ip: string): boolean {
    return this.map.lookup(ipv4Bytes(ip)) !== undefined;
  }

  /** Enrolled pods as the kernel sees them. */
  list(): { ip: string; ifindex: number }[] {
    return this.map.keys().flatMap((key) => {
      const value = this.map.lookup(key);
      return value ? [{ ip: ipv4String(key), ...decodePod(value) }] : [];
    });
  }
}

export class RedirectProgram {
  /** For the host-side veth of every pod on the node (outbound capture; inbound from same-node pods). */
  readonly podIngress: BpfProgram;
  /** For the node's uplink (inbound capture: HBONE 15008 and plaintext). */
  readonly uplinkIngress: BpfProgram;
  readonly enrolledPods: EnrolledPods;
  private readonly listeners: BpfMap;
  private readonly config: BpfMap;
  private readonly stats_: BpfMap;

  static load(native: NativeBinding, objectPath: string): RedirectProgram {
    const object = BpfObject.load(native, objectPath);
    try {
      return new RedirectProgram(native, object);
    } catch (err) {
      object.close();
      throw err;
    }
  }

  private constructor(private readonly native: NativeBinding, readonly object: BpfObject) {
    this.podIngress = object.program(PROGRAM_POD_INGRESS);
    this.uplinkIngress = object.program(PROGRAM_UPLINK_INGRESS);
    const map = (layout: MapLayout): BpfMap => {
      const m = object.map(layout.name);
      if (m.type !== layout.type || m.keySize !== layout.keySize || m.valueSize !== layout.valueSize) {
        throw new AmbitError('AMBIT_ERR_BPF_LOAD', `BPF object ${object.path}: map ${layout.name} has type ${m.type}, key ${m.keySize} B, value ${m.valueSize} B; ` +
          `expected type ${layout.type}, key ${layout.keySize} B, value ${layout.valueSize} B (bpf/redirect.h and native/lib/redirect-layout.ts disagree)`);
      }
      return m;
    };
    this.listeners = map(MAPS.listeners);
    this.enrolledPods = new EnrolledPods(map(MAPS.pods));
    this.config = map(MAPS.config);
    this.stats_ = map(MAPS.stats);
  }

  /** Sets the node IP, mark and policy. Until this is called the programs capture nothing. */
  configure(cfg: RedirectConfig): void {
    const mark = cfg.mark ?? DEFAULT_MARK;
    if (!Number.isInteger(mark) || mark <= 0 || mark > 0xffffffff) throw new RangeError(`invalid mark ${mark}: a non-zero 32-bit value`);
    const flags = (cfg.onMissingListener ?? 'drop') === 'drop' ? CFG_DROP_WITHOUT_LISTENER : 0;
    this.config.update(u32(0), encodeConfig(cfg.nodeIp, mark, flags, cfg.serviceCidr));
  }

  /**
   * Puts a listening socket (an fd from transparentListener) into the sockmap for
   * `kind`. The kernel drops the entry by itself when the socket is closed.
   */
  setListener(kind: ListenerKind, fd: number): void {
    if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`invalid fd ${fd}`);
    this.listeners.update(u32(LISTENER_KEYS[kind]), u64(fd));
  }

  /** True when a socket was registered for `kind`. */
  removeListener(kind: ListenerKind): boolean {
    return this.listeners.delete(u32(LISTENER_KEYS[kind]));
  }

  /** Whether a live socket is registered for `kind`. */
  hasListener(kind: ListenerKind): boolean {
    return this.listeners.lookup(u32(LISTENER_KEYS[kind])) !== undefined;
  }

  /** Counters summed over CPUs. */
  stats(): RedirectStats {
    const cpus = check(this.native.possibleCpus(), 'AMBIT_ERR_NATIVE', 'counting possible CPUs');
    const out = {} as RedirectStats;
    STAT_NAMES.forEach((name, index) => {
      const value = this.stats_.lookup(u32(index), 8 * cpus);
      let sum = 0n;
      for (let cpu = 0; value && cpu < cpus; cpu++) sum += readU64(value, cpu * 8);
      out[name] = sum;
    });
    return out;
  }

  /** Closes the object's fds. Attached programs keep running until detached. */
  close(): void {
    this.object.close();
  }
}
