// Thin typed layer over node-forge's ASN.1 module: DER <-> node trees, node builders,
// and checked accessors that throw a plain Error naming what was expected (callers
// wrap it in the AmbitError of their context). Byte strings are forge "binary"
// strings (one char per byte); Buffers cross the boundary via latin1.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;

const asn1 = forge.asn1;
const UNIVERSAL = asn1.Class.UNIVERSAL;
const CONTEXT = asn1.Class.CONTEXT_SPECIFIC;
export const T = asn1.Type;

interface FromDerOptions {
  strict: boolean;
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
}
// @types/node-forge only declares fromDer(bytes, strict?: boolean); the implementation
// takes an options object, which we need to turn off BIT STRING guessing.
const fromDer = asn1.fromDer as unknown as (bytes: string, options: FromDerOptions) => Asn1;

export function binary(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

export function bytesOf(bin: string): Buffer {
  return Buffer.from(bin, 'latin1');
}

/** Parse one complete DER element (trailing bytes are an error). */
export function parseDer(der: Uint8Array): Asn1 {
  return fromDer(binary(der), { strict: true, parseAllBytes: true, decodeBitStrings: false });
}

export function toDer(node: Asn1): Buffer {
  return bytesOf(asn1.toDer(node).getBytes());
}

// ---- builders ----

export function seq(...items: Asn1[]): Asn1 {
  return asn1.create(UNIVERSAL, T.SEQUENCE, true, items);
}

export function set(...items: Asn1[]): Asn1 {
  return asn1.create(UNIVERSAL, T.SET, true, items);
}

export function oid(dotted: string): Asn1 {
  return asn1.create(UNIVERSAL, T.OID, false, asn1.oidToDer(dotted).getBytes());
}

export function bool(value: boolean): Asn1 {
  return asn1.create(UNIVERSAL, T.BOOLEAN, false, value ? '\xff' : '\x00');
}

export function nullNode(): Asn1 {
  return asn1.create(UNIVERSAL, T.NULL, false, '');
}

/** INTEGER from its big-endian two's-complement content bytes (already minimal). */
export function intBytes(content: Uint8Array): Asn1 {
  return asn1.create(UNIVERSAL, T.INTEGER, false, binary(content));
}

export function smallInt(n: number): Asn1 {
  return asn1.create(UNIVERSAL, T.INTEGER, false, asn1.integerToDer(n).getBytes());
}

export function octets(content: Uint8Array): Asn1 {
  return asn1.create(UNIVERSAL, T.OCTETSTRING, false, binary(content));
}

/** BIT STRING; `unused` trailing bits of the last byte are padding. */
export function bitString(content: Uint8Array, unused = 0): Asn1 {
  return asn1.create(UNIVERSAL, T.BITSTRING, false, String.fromCharCode(unused) + binary(content));
}

export function utf8(text: string): Asn1 {
  return asn1.create(UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(text));
}

/** [n] EXPLICIT wrapper, or an IMPLICIT primitive when `inner` is a byte string. */
export function tagged(n: number, inner: Asn1 | Asn1[] | string): Asn1 {
  if (typeof inner === 'string') return asn1.create(CONTEXT, n, false, inner);
  return asn1.create(CONTEXT, n, true, Array.isArray(inner) ? inner : [inner]);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Asn1 {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  if (whole.getUTCFullYear() < 2050) return asn1.create(UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(whole));
  return asn1.create(UNIVERSAL, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(whole));
}

// ---- checked accessors ----

export function isContext(node: Asn1, n: number): boolean {
  // For context-specific tags `type` is the tag number, not a universal Type.
  const tag: number = node.type;
  return node.tagClass === CONTEXT && tag === n;
}

/** Children of a constructed UNIVERSAL node of `type`, at least `min` of them. */
export function childrenOf(node: Asn1 | undefined, type: forge.asn1.Type, what: string, min = 0): Asn1[] {
  if (!node || node.tagClass !== UNIVERSAL || node.type !== type || !Array.isArray(node.value)) {
    throw new Error(`${what}: expected a ${T[type]}`);
  }
  if (node.value.length < min) throw new Error(`${what}: expected at least ${min} elements, found ${node.value.length}`);
  return node.value;
}

/** Children of a constructed [n] node. */
export function contextChildren(node: Asn1 | undefined, n: number, what: string): Asn1[] {
  if (!node || !isContext(node, n) || !Array.isArray(node.value)) throw new Error(`${what}: expected [${n}]`);
  return node.value;
}

/** Content bytes (binary string) of a primitive UNIVERSAL node of `type`. */
export function primitiveOf(node: Asn1 | undefined, type: forge.asn1.Type, what: string): string {
  if (!node || node.tagClass !== UNIVERSAL || node.type !== type || typeof node.value !== 'string') {
    throw new Error(`${what}: expected a ${T[type]}`);
  }
  return node.value;
}

export function oidOf(node: Asn1 | undefined, what: string): string {
  return asn1.derToOid(primitiveOf(node, T.OID, what));
}

/** Content of a BIT STRING with 0 unused bits (keys, signatures). */
export function bitStringBytes(node: Asn1 | undefined, what: string): Buffer {
  const raw = primitiveOf(node, T.BITSTRING, what);
  if (raw.length < 1 || raw.charCodeAt(0) !== 0) throw new Error(`${what}: BIT STRING must have 0 unused bits`);
  return bytesOf(raw.slice(1));
}

export function timeOf(node: Asn1 | undefined, what: string): Date {
  if (node && node.type === T.UTCTIME && typeof node.value === 'string') return asn1.utcTimeToDate(node.value);
  if (node && node.type === T.GENERALIZEDTIME && typeof node.value === 'string') {
    return asn1.generalizedTimeToDate(node.value);
  }
  throw new Error(`${what}: expected a UTCTime or GeneralizedTime`);
}

/**
 * Exact DER bytes of each direct child of the constructed element `der` (which must
 * be exactly one element): what was signed is verified byte for byte, never re-encoded.
 */
export function childSpans(der: Buffer, what: string): Buffer[] {
  const outer = header(der, 0, what);
  if ((der[0]! & 0x20) === 0) throw new Error(`${what}: expected a constructed element`);
  const end = outer.contentStart + outer.length;
  if (end !== der.length) throw new Error(`${what}: length does not match the data`);
  const spans: Buffer[] = [];
  let at = outer.contentStart;
  while (at < end) {
    const h = header(der, at, what);
    const next = h.contentStart + h.length;
    if (next > end) throw new Error(`${what}: element overruns its parent`);
    spans.push(der.subarray(at, next));
    at = next;
  }
  return spans;
}

function header(der: Buffer, at: number, what: string): { contentStart: number; length: number } {
  if (at + 2 > der.length) throw new Error(`${what}: truncated`);
  if ((der[at]! & 0x1f) === 0x1f) throw new Error(`${what}: multi-byte tags are not supported`);
  const first = der[at + 1]!;
  if (first < 0x80) return { contentStart: at + 2, length: first };
  const n = first & 0x7f;
  if (n === 0 || n > 4 || at + 2 + n > der.length) throw new Error(`${what}: bad length`);
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[at + 2 + i]!;
  return { contentStart: at + 2 + n, length };
}

/** SEQUENCE DER around already-encoded elements (splices signed bytes without re-encoding). */
export function derSequence(...elements: Buffer[]): Buffer {
  let length = 0;
  for (const e of elements) length += e.length;
  let head: Buffer;
  if (length < 0x80) {
    head = Buffer.from([0x30, length]);
  } else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    head = Buffer.from([0x30, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, ...elements], head.length + length);
}
