// The shape of the native addon (native/src/addon.cc), as the TypeScript side sees it.
// Types only: the addon itself is loaded by index.ts and nowhere else. Every number
// returned is a result (fd, index, 0) or -errno; the wrappers turn -errno into errors.

export interface NativeProgramInfo {
  name: string;
  fd: number;
  /** enum bpf_prog_type (3 = BPF_PROG_TYPE_SCHED_CLS). */
  type: number;
}

export interface NativeMapInfo {
  name: string;
  fd: number;
  /** enum bpf_map_type. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface NativeOpenResult {
  /** 0 or -errno. */
  error: number;
  /** libbpf's warnings, including the verifier log when verification failed. */
  log: string;
  handle?: number;
  programs?: NativeProgramInfo[];
  maps?: NativeMapInfo[];
}

export interface NativeBinding {
  openObject(path: string): NativeOpenResult;
  closeObject(handle: number): number;
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags: number): number;
  mapLookup(fd: number, key: Uint8Array, valueOut: Uint8Array): number;
  mapDelete(fd: number, key: Uint8Array): number;
  mapNextKey(fd: number, key: Uint8Array | null, nextOut: Uint8Array): number;
  possibleCpus(): number;
  /** Returns a bpf_link fd; closing it detaches. `netns` '' = current namespace. */
  tcxAttach(progFd: number, ifindex: number, netns: string): number;
  tcAttach(progFd: number, ifindex: number, handle: number, priority: number, netns: string): number;
  tcDetach(ifindex: number, handle: number, priority: number, netns: string): number;
  listen(ip: string, port: number, backlog: number, transparent: boolean, netns: string): number;
  ifindex(name: string, netns: string): number;
  closeFd(fd: number): number;
  /** A non-blocking TCP socket bound to srcIp:0 with IP_TRANSPARENT, not connected: fd | -errno. */
  bindFrom(srcIp: string): number;
}

export const NATIVE_FUNCTIONS: readonly (keyof NativeBinding)[] = [
  'openObject', 'closeObject', 'mapUpdate', 'mapLookup', 'mapDelete', 'mapNextKey', 'possibleCpus',
  'tcxAttach', 'tcAttach', 'tcDetach', 'listen', 'ifindex', 'closeFd', 'bindFrom',
];
