// The connection an authorization decision is about, and the per-decision view of it
// that the matchers read: addresses parsed once (IPv4-mapped IPv6 read as IPv4), the
// peer's principal and namespace derived once, each only when some matcher needs it.
import type { Identity } from '../../api/identity.js';
import { principalOf } from '../../api/identity.js';
import type { ParsedIp } from './ip-address.js';
import { parseConnectionIp } from './ip-address.js';

export interface Connection {
  srcIp: string;
  srcPort?: number;
  dstIp: string;
  /** The workload (target) port the connection arrives on (rule 19). */
  dstPort: number;
  /** The peer's verified identity; undefined for plaintext (no mTLS). */
  srcIdentity?: Identity;
}

export class ConnectionView {
  private src: ParsedIp | null | undefined;
  private dst: ParsedIp | null | undefined;
  private principalText: string | null | undefined;

  constructor(readonly conn: Connection) {}

  get dstPort(): number {
    return this.conn.dstPort;
  }

  get identity(): Identity | undefined {
    return this.conn.srcIdentity;
  }

  /** null when the address does not parse (then no CIDR contains it). */
  get srcIp(): ParsedIp | null {
    if (this.src === undefined) this.src = parseConnectionIp(this.conn.srcIp) ?? null;
    return this.src;
  }

  get dstIp(): ParsedIp | null {
    if (this.dst === undefined) this.dst = parseConnectionIp(this.conn.dstIp) ?? null;
    return this.dst;
  }

  /** "<td>/ns/<ns>/sa/<sa>" (the SPIFFE id without "spiffe://"); null for plaintext. */
  get principal(): string | null {
    if (this.principalText === undefined) {
      const id = this.conn.srcIdentity;
      this.principalText = id === undefined ? null : principalOf(id);
    }
    return this.principalText;
  }

  /** The peer's namespace; "" for plaintext (as ztunnel compares it). */
  get namespace(): string {
    return this.conn.srcIdentity?.namespace ?? '';
  }
}
