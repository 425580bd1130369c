// Text IP address → numbers, once, so CIDR checks are a few integer operations.
// IPv4 is one 32-bit word; IPv6 is four 32-bit words (most significant first).
// Accepts what node:net isIP accepts (dotted quads without leading zeros, every IPv6
// text form including "::" and an embedded dotted quad, an optional "%zone").

export interface ParsedIp {
  readonly family: 4 | 6;
  /** IPv4: [address, 0, 0, 0]; IPv6: the 128 bits as four unsigned 32-bit words. */
  readonly words: readonly [number, number, number, number];
}

const DOT = 46;
const COLON = 58;

/** Dotted quad → unsigned 32-bit value, or -1 when it is not one. */
function parseV4Word(s: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (i <= end) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && s.charCodeAt(first) === 48) return -1; // leading zero ("01")
    value = value * 256 + octet;
    octets++;
    if (i === end) break;
    if (s.charCodeAt(i) !== DOT || octets === 4) return -1;
    i++;
    if (i === end) return -1; // trailing dot
  }
  return octets === 4 ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The 16-bit groups of one side of "::" (may end in a dotted quad), or undefined. */
function parseGroups(s: string, allowV4Tail: boolean): number[] | undefined {
  const groups: number[] = [];
  if (s === '') return groups;
  const parts = s.split(':');
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (allowV4Tail && p === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4Word(part, 0, part.length);
      if (v4 < 0) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    if (part.length === 0 || part.length > 4) return undefined;
    let g = 0;
    for (let i = 0; i < part.length; i++) {
      const h = hexValue(part.charCodeAt(i));
      if (h < 0) return undefined;
      g = g * 16 + h;
    }
    groups.push(g);
  }
  return groups;
}

function parseV6(text: string): ParsedIp | undefined {
  const zone = text.indexOf('%');
  const s = zone < 0 ? text : text.slice(0, zone);
  if (zone >= 0 && zone === text.length - 1) return undefined; // "%" with no zone
  const gap = s.indexOf('::');
  let groups: number[];
  if (gap < 0) {
    const all = parseGroups(s, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  } else {
    if (s.indexOf('::', gap + 1) >= 0) return undefined;
    const head = parseGroups(s.slice(0, gap), false);
    const tail = parseGroups(s.slice(gap + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const w = (i: number): number => groups[i]! * 65536 + groups[i + 1]!;
  return { family: 6, words: [w(0), w(2), w(4), w(6)] };
}

/** Parses an IPv4 or IPv6 address as written; undefined when it is neither. */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.indexOf(':') < 0) {
    const v4 = parseV4Word(text, 0, text.length);
    return v4 < 0 ? undefined : { family: 4, words: [v4, 0, 0, 0] };
  }
  return text.charCodeAt(0) === COLON && text.charCodeAt(1) !== COLON ? undefined : parseV6(text);
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it carries; others unchanged. */
export function unmapIp(ip: ParsedIp): ParsedIp {
  const [w0, w1, w2, w3] = ip.words;
  if (ip.family === 6 && w0 === 0 && w1 === 0 && w2 === 0xffff) return { family: 4, words: [w3, 0, 0, 0] };
  return ip;
}

/** What a connection's address means for policy: parsed, with IPv4-mapped IPv6 read as IPv4. */
export function parseConnectionIp(text: string): ParsedIp | undefined {
  if (text.length > 7 && text.slice(0, 7).toLowerCase() === '::ffff:' && text.indexOf('.') > 0) {
    const v4 = parseV4Word(text, 7, text.length); // the common dual-stack socket form, without the IPv6 detour
    if (v4 >= 0) return { family: 4, words: [v4, 0, 0, 0] };
  }
  const ip = parseIp(text);
  return ip === undefined ? undefined : unmapIp(ip);
}
