// The one module that loads the native addon (native/build/Release/ambit_native.node),
// lazily, on first use: importing this module never fails, so everything type-checks and
// runs without the addon until a native operation is actually needed, which then throws
// AMBIT_ERR_NATIVE saying what to build. Everything public about eBPF capture is here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AmbitError } from '../../api/errors.js';
import { attachIngress as attach, resolveIfindex, type AttachedProgram, type AttachOptions } from './attach.js';
import { NATIVE_FUNCTIONS, type NativeBinding } from './binding.js';
import type { BpfProgram } from './bpf-object.js';
import { boundSocketFd } from './connect.js';
import { listenerFd, type ListenerOptions } from './listener.js';
import { RedirectProgram } from './redirect.js';

export { BpfMap, BpfObject, BpfProgram, MapUpdate } from './bpf-object.js';
export { NativeError } from './errors.js';
export { EnrolledPods, RedirectProgram, DEFAULT_MARK, type RedirectConfig, type RedirectStats } from './redirect.js';
export { LISTENER_KEYS, STAT_NAMES, type ListenerKind, type StatName } from './redirect-layout.js';
export { DEFAULT_TC_HANDLE, DEFAULT_TC_PRIORITY, type AttachedProgram, type AttachMode, type AttachOptions } from './attach.js';
export type { ListenerOptions } from './listener.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled: dist/native/lib → <root>/native/build. From sources: native/lib → native/build.
const BUILD_DIRS = [path.resolve(here, '../../../native/build'), path.resolve(here, '../build')];

function candidates(envVar: string, file: string, subdirs: string[]): string[] {
  const fromEnv = process.env[envVar];
  if (fromEnv) return [fromEnv];
  return BUILD_DIRS.flatMap((dir) => subdirs.map((sub) => path.join(dir, sub, file)));
}

/** Where the addon is looked for: $AMBIT_NATIVE_ADDON, else native/build/Release/ambit_native.node. */
export function nativeAddonCandidates(): string[] {
  return candidates('AMBIT_NATIVE_ADDON', 'ambit_native.node', ['Release']);
}

/** The compiled redirect program: $AMBIT_BPF_OBJECT, else native/build/{Release/,}redirect.bpf.o. */
export function defaultRedirectObjectPath(): string {
  const all = candidates('AMBIT_BPF_OBJECT', 'redirect.bpf.o', ['Release', '.']);
  return all.find((p) => existsSync(p)) ?? all[0]!;
}

let binding: NativeBinding | undefined;

function native(): NativeBinding {
  if (binding) return binding;
  const tried = nativeAddonCandidates();
  const file = tried.find((p) => existsSync(p));
  if (!file) {
    throw new AmbitError('AMBIT_ERR_NATIVE', `the native addon is not built (looked for ${tried.join(', ')}); build it with \`make native\` (see native/README.md)`);
  }
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(file);
  } catch (cause) {
    throw new AmbitError('AMBIT_ERR_NATIVE', `the native addon ${file} could not be loaded: ${(cause as Error).message} (is libbpf1 installed? rebuild with \`make native\`)`, { cause });
  }
  const missing = NATIVE_FUNCTIONS.filter((name) => typeof (mod as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    throw new AmbitError('AMBIT_ERR_NATIVE', `the native addon ${file} is out of date (missing ${missing.join(', ')}); rebuild it with \`make native\``);
  }
  binding = mod as NativeBinding;
  return binding;
}

/** Whether the addon can be loaded here, and if not why (never throws). */
export function nativeAddonStatus(): { available: true } | { available: false; reason: string } {
  try {
    native();
    return { available: true };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}

/**
 * Opens, verifies and loads the redirect program (bpf/redirect.bpf.c). Needs CAP_BPF
 * and CAP_NET_ADMIN. Throws AMBIT_ERR_BPF_LOAD with libbpf's log.
 */
export function loadRedirectProgram(objectPath: string = defaultRedirectObjectPath()): RedirectProgram {
  return RedirectProgram.load(native(), objectPath);
}

/**
 * Attaches `program` to the ingress of an interface (name or ifindex, in `opts.netns`)
 * with tcx (default), netlink cls_bpf, or 'auto'. Throws AMBIT_ERR_BPF_ATTACH.
 */
export function attachIngress(target: string | number, program: BpfProgram, opts: AttachOptions = {}): AttachedProgram {
  return attach(native(), target, program, opts);
}

/**
 * A listening IPv4 TCP socket with IP_TRANSPARENT (it can accept connections addressed
 * to any IP, as assigned by the redirect program), returned as an fd for
 * `net.Server#listen({ fd })` (which then owns it). Throws AMBIT_ERR_TRANSPARENT_LISTENER.
 */
export function transparentListener(ip: string, port: number, opts: ListenerOptions = {}): number {
  return listenerFd(native(), ip, port, true, opts);
}

/** An ordinary listening socket, possibly in another namespace (as transparentListener, without IP_TRANSPARENT). */
export function plainListener(ip: string, port: number, opts: ListenerOptions = {}): number {
  return listenerFd(native(), ip, port, false, opts);
}

/** The index of an interface, possibly in another namespace. Throws AMBIT_ERR_NATIVE. */
export function interfaceIndex(name: string, opts: { netns?: string } = {}): number {
  return resolveIfindex(native(), name, opts.netns ?? '', 'AMBIT_ERR_NATIVE');
}

/**
 * A TCP socket bound to `srcIp` (port chosen by the kernel), an address that is not this
 * host's (IP_TRANSPARENT), not connected yet: an fd for `new net.Socket({ fd })`, then
 * `.connect(port, host)`. The replies must come back to this host (on a node, the
 * redirect program steers them). Throws AMBIT_ERR_TRANSPARENT_CONNECT.
 */
export function transparentSocket(srcIp: string): number {
  return boundSocketFd(native(), srcIp);
}
