// The byte layout of the redirect program's maps, mirroring bpf/redirect.h field by
// field (change both together; RedirectProgram checks map sizes on load). IPv4
// addresses are in network order as in the packet; other integers in host order.
import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';

/** Same union as daemon/network/network.ts's ListenerKind. */
export type ListenerKind = 'outbound' | 'inbound-plaintext' | 'hbone';

export const PROGRAM_POD_INGRESS = 'ambit_pod_ingress';
export const PROGRAM_UPLINK_INGRESS = 'ambit_uplink_ingress';

// uapi enum bpf_map_type values.
const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
const BPF_MAP_TYPE_SOCKMAP = 15;

export interface MapLayout { name: string; type: number; keySize: number; valueSize: number }

export const MAPS = {
  listeners: { name: 'ambit_listeners', type: BPF_MAP_TYPE_SOCKMAP, keySize: 4, valueSize: 8 },
  pods: { name: 'ambit_pods', type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8 },
  config: { name: 'ambit_config', type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 24 },
  stats: { name: 'ambit_stats', type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 8 },
} as const satisfies Record<string, MapLayout>;

/** AMBIT_LISTENER_* */
export const LISTENER_KEYS: Readonly<Record<ListenerKind, number>> = { outbound: 0, 'inbound-plaintext': 1, hbone: 2 };

/** AMBIT_CFG_DROP_WITHOUT_LISTENER */
export const CFG_DROP_WITHOUT_LISTENER = 1;

/** enum ambit_stat, in index order. */
export const STAT_NAMES = ['outboundSyn', 'inboundSyn', 'hboneSyn', 'existing', 'noListener', 'assignFailed', 'spoofed'] as const;
export type StatName = (typeof STAT_NAMES)[number];

const LE = endianness() === 'LE';

function writeU32(buf: Buffer, value: number, offset: number): void {
  if (LE) buf.writeUInt32LE(value >>> 0, offset);
  else buf.writeUInt32BE(value >>> 0, offset);
}

export function readU64(buf: Buffer, offset: number): bigint {
  return LE ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
}

export function u32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  writeU32(buf, value, 0);
  return buf;
}

export function u64(value: number): Buffer {
  const buf = Buffer.alloc(8);
  if (LE) buf.writeBigUInt64LE(BigInt(value));
  else buf.writeBigUInt64BE(BigInt(value));
  return buf;
}

/** Dotted IPv4 → 4 bytes in network order. */
export function ipv4Bytes(ip: string): Buffer {
  if (!isIPv4(ip)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(ip)} (the redirect program is IPv4-only)`);
  return Buffer.from(ip.split('.').map(Number));
}

export function ipv4String(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

/** struct ambit_pod */
export function encodePod(ifindex: number): Buffer {
  const buf = Buffer.alloc(MAPS.pods.valueSize);
  writeU32(buf, ifindex, 0);
  return buf;
}

export function decodePod(buf: Buffer): { ifindex: number } {
  return { ifindex: LE ? buf.readUInt32LE(0) : buf.readUInt32BE(0) };
}

/** struct ambit_config */
/** "10.96.0.0/16" → network and mask, 4 bytes each in network order. */
export function ipv4Cidr(cidr: string): { network: Buffer; mask: Buffer } {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  const bits = m ? Number(m[2]) : -1;
  if (!m || bits < 1 || bits > 32) throw new RangeError(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
  const mask = Buffer.alloc(4);
  mask.writeUInt32BE((0xffffffff << (32 - bits)) >>> 0);
  const network = ipv4Bytes(m[1]!).map((b, i) => b & mask[i]!);
  return { network: Buffer.from(network), mask };
}

/** struct ambit_config */
export function encodeConfig(nodeIp: string, mark: number, flags: number, serviceCidr?: string): Buffer {
  const buf = Buffer.alloc(MAPS.config.valueSize);
  ipv4Bytes(nodeIp).copy(buf, 0);
  writeU32(buf, mark, 4);
  writeU32(buf, flags, 8);
  if (serviceCidr !== undefined) {
    const { network, mask } = ipv4Cidr(serviceCidr);
    network.copy(buf, 16);
    mask.copy(buf, 20);
  }
  return buf;
}
