// Attaching a program to an interface's ingress: tcx (kernel >= 6.6; a bpf_link owned by
// this process, so it vanishes with the process: fail-open) or a netlink clsact/cls_bpf
// direct-action filter (stays after the process dies: with the redirect program's
// 'drop' policy new connections of enrolled pods then fail: fail-closed).
import type { NativeBinding } from './binding.js';
import type { BpfProgram } from './bpf-object.js';
import { check, NativeError } from './errors.js';

export type AttachMode = 'tcx' | 'netlink';

export interface AttachOptions {
  /** 'tcx' (default), 'netlink', or 'auto' = tcx, netlink when the kernel has no tcx. */
  mode?: AttachMode | 'auto';
  /** Network namespace of the interface (/run/netns/NAME, /proc/PID/ns/net); default: ours. */
  netns?: string;
  /** netlink only: cls_bpf filter priority and handle (a filter with the same pair is replaced). */
  priority?: number;
  handle?: number;
}

export interface AttachedProgram {
  readonly mode: AttachMode;
  readonly ifindex: number;
  /** The interface as given (name or index). */
  readonly target: string | number;
  readonly program: string;
  /** Removes the program from the interface. Idempotent; a vanished interface counts as detached. */
  detach(): void;
}

export const DEFAULT_TC_PRIORITY = 1;
export const DEFAULT_TC_HANDLE = 0xa3b1;

const EINVAL = 22, ENOENT = 2, ENODEV = 19, EOPNOTSUPP = 95;

export function resolveIfindex(native: NativeBinding, target: string | number, netns: string, code: 'AMBIT_ERR_BPF_ATTACH' | 'AMBIT_ERR_NATIVE'): number {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target <= 0) throw new RangeError(`invalid ifindex ${target}`);
    return target;
  }
  if (target.length === 0 || target.length > 15) throw new RangeError(`invalid interface name ${JSON.stringify(target)}`);
  return check(native.ifindex(target, netns), code, () => `looking up interface ${target}${netns ? ` in ${netns}` : ''}`);
}

export function attachIngress(native: NativeBinding, target: string | number, program: BpfProgram, opts: AttachOptions = {}): AttachedProgram {
  const netns = opts.netns ?? '';
  const ifindex = resolveIfindex(native, target, netns, 'AMBIT_ERR_BPF_ATTACH');
  const where = `${program.name} to ${typeof target === 'string' ? `${target} (ifindex ${ifindex})` : `ifindex ${ifindex}`}${netns ? ` in ${netns}` : ''}`;
  const mode = opts.mode ?? 'tcx';

  if (mode === 'tcx' || mode === 'auto') {
    const linkFd = native.tcxAttach(program.fd, ifindex, netns);
    if (linkFd >= 0) {
      let open = true;
      return {
        mode: 'tcx', ifindex, target, program: program.name,
        detach: () => {
          if (!open) return;
          open = false;
          check(native.closeFd(linkFd), 'AMBIT_ERR_BPF_ATTACH', `tcx detach of ${where}`);
        },
      };
    }
    // A kernel without tcx rejects the attach type itself.
    const noTcx = linkFd === -EINVAL || linkFd === -EOPNOTSUPP;
    if (mode === 'tcx' || !noTcx) {
      throw new NativeError('AMBIT_ERR_BPF_ATTACH', `tcx attach of ${where}`, linkFd,
        noTcx ? 'tcx needs Linux >= 6.6; use mode "netlink" or "auto"' : undefined);
    }
  }

  const priority = opts.priority ?? DEFAULT_TC_PRIORITY;
  const handle = opts.handle ?? DEFAULT_TC_HANDLE;
  if (!Number.isInteger(priority) || priority < 1 || priority > 0xffff) throw new RangeError(`invalid tc priority ${priority}`);
  if (!Number.isInteger(handle) || handle < 1 || handle > 0xffffffff) throw new RangeError(`invalid tc handle ${handle}`);
  check(native.tcAttach(program.fd, ifindex, handle, priority, netns), 'AMBIT_ERR_BPF_ATTACH', `netlink (clsact/cls_bpf) attach of ${where}`);
  let attached = true;
  return {
    mode: 'netlink', ifindex, target, program: program.name,
    detach: () => {
      if (!attached) return;
      const rc = native.tcDetach(ifindex, handle, priority, netns);
      // The interface or its namespace is gone: so is the filter.
      if (rc < 0 && rc !== -ENOENT && rc !== -ENODEV && rc !== -EINVAL) {
        check(rc, 'AMBIT_ERR_BPF_ATTACH', `netlink detach of ${where}`);
      }
      attached = false;
    },
  };
}
