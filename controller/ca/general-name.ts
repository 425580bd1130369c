// subjectAltName entries the CA writes: URI (SPIFFE identities), DNS and IP (the
// controller's own serving certificate).
import { isIP } from 'node:net';
import { tagged, binary, type Asn1 } from './asn1.js';

export type GeneralName = { uri: string } | { dns: string } | { ip: string };

const IA5_RE = /^[\x21-\x7e]+$/;

/** GeneralName node: [6] IA5String URI, [2] IA5String dNSName, [7] OCTET STRING iPAddress. */
export function generalName(name: GeneralName): Asn1 {
  if ('uri' in name) return tagged(6, ia5(name.uri, 'URI'));
  if ('dns' in name) return tagged(2, ia5(name.dns, 'DNS name'));
  return tagged(7, binary(ipBytes(name.ip)));
}

function ia5(text: string, what: string): string {
  if (!IA5_RE.test(text)) throw new Error(`${what} ${JSON.stringify(text)} must be printable ASCII without spaces`);
  return text;
}

/** 4 or 16 address bytes. */
export function ipBytes(ip: string): Buffer {
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family !== 6) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const text = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').filter((s) => s !== '').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...new Array<number>(zeros).fill(0), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
