// PEM armour: DER bytes <-> "-----BEGIN <label>-----" text blocks.

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export interface PemBlock {
  label: string;
  der: Buffer;
}

export function pemEncode(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Every PEM block in `text`, in order. Text outside blocks is ignored (OpenSSL writes
 * comments there); a block whose body is not base64 throws a plain Error, which the
 * caller wraps in the AmbitError that fits its context.
 */
export function pemDecodeAll(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK_RE)) {
    const label = m[1]!;
    const body = m[2]!.replace(/\s+/g, '');
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64_RE.test(body)) {
      throw new Error(`PEM block "${label}" is not valid base64`);
    }
    blocks.push({ label, der: Buffer.from(body, 'base64') });
  }
  return blocks;
}

/** The DER of the single block with one of `labels`; throws a plain Error otherwise. */
export function pemDecodeOne(text: string, labels: readonly string[]): Buffer {
  const blocks = pemDecodeAll(text).filter((b) => labels.includes(b.label));
  if (blocks.length !== 1) {
    throw new Error(`expected exactly one PEM block labelled ${labels.join(' or ')}, found ${blocks.length}`);
  }
  return blocks[0]!.der;
}
