// Which TCP ports a pod listens on, from /proc/<pid>/net/tcp and tcp6 of any process in
// its network namespace (those files show the sockets of the reader's target netns, not
// of the caller's). The parser is pure; `listeningPorts` is the I/O edge.
import { readFileSync } from 'node:fs';

/** TCP_LISTEN in the kernel's tcp_states.h, as /proc/net/tcp prints it. */
export const TCP_LISTEN = '0A';

export interface TcpSocket {
  /** Dotted IPv4, or the 32 hex digits of an IPv6 address as the kernel prints them. */
  address: string;
  port: number;
  /** The state as two hex digits (0A = LISTEN, 01 = ESTABLISHED, …). */
  state: string;
}

/** The kernel writes IPv4 addresses as one host-order (little-endian on x86/arm) 32-bit hex word. */
function ipv4(hex: string): string {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse().join('.');
}

/** Parses /proc/net/tcp or /proc/net/tcp6 text (header line first); malformed lines are skipped. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (local === undefined || state === undefined || !/^[0-9A-Fa-f]{2}$/.test(state)) continue;
    const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(local);
    if (!m) continue;
    const addr = m[1]!;
    out.push({ address: addr.length === 8 ? ipv4(addr) : addr.toUpperCase(), port: parseInt(m[2]!, 16), state: state.toUpperCase() });
  }
  return out;
}

/** The ports in LISTEN state, sorted and unique. */
export function listeningPortsOf(...texts: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const text of texts) for (const s of parseProcNetTcp(text)) if (s.state === TCP_LISTEN) ports.add(s.port);
  return [...ports].sort((a, b) => a - b);
}

/** The TCP ports listening in the network namespace of process `pid`; undefined when the process is gone. */
export function listeningPorts(pid: number): number[] | undefined {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  };
  const v4 = read('tcp');
  if (v4 === undefined) return undefined;
  return listeningPortsOf(v4, read('tcp6') ?? '');
}
