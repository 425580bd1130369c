// RE2 (the regex syntax of Envoy and Istio) on a JavaScript engine. There is no RE2 engine
// here, so a pattern is translated to an equivalent JavaScript RegExp (always compiled
// with the `u` flag, so `.` and classes work on code points as RE2 does on UTF-8):
// - RE2-only syntax is rewritten: flag groups `(?i)`, `(?s:…)`, `(?m)`, `(?U)` (JavaScript
//   has no inline flags, so their effect is spelled out: letters become `[aA]`, `.` becomes
//   `[^]`…), POSIX classes `[[:alpha:]]`, `\pL`/`\p{Greek}`, `\x{…}`, octal `\123`,
//   `\Q…\E`, `\A`, `\z`, `\C`, and RE2's narrower `\s` and `.`;
// - JavaScript-only syntax RE2 rejects is reported: lookaround, backreferences, escapes
//   RE2 does not know.
// Known gaps: case folding is JavaScript's simple upper/lower mapping (RE2 also folds
// e.g. `k` with the Kelvin sign), and `(?i)` does not widen `\p{…}` or non-ASCII ranges.

const MAX_LENGTH = 1024;
const MAX_REPEAT = 1000;

/** Error message when `pattern` is not valid RE2, else undefined. */
export function re2Problem(pattern: string): string | undefined {
  if (pattern === '') return 'regex must not be empty';
  if (pattern.length > MAX_LENGTH) return `regex is too large, max length allowed is ${MAX_LENGTH}`;
  const translated = translate(pattern, false);
  if ('error' in translated) return `invalid RE2 regex "${pattern}": ${translated.error}`;
  try {
    new RegExp(translated.source, 'u');
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/s, '') : String(e);
    return `invalid RE2 regex "${pattern}": ${msg}`;
  }
  return undefined;
}

export interface Re2Options {
  /** Match case-insensitively, as if the pattern started with `(?i)`. */
  ignoreCase?: boolean;
}

/**
 * `pattern` as a RegExp that matches only a WHOLE value (RE2 full match, as Envoy's
 * regex matchers do): `compileRe2('\\d+').test('a123')` is false. Throws an Error carrying
 * the re2Problem message when the pattern is not valid RE2.
 */
export function compileRe2(pattern: string, opts: Re2Options = {}): RegExp {
  const source = checkedSource(pattern, opts);
  return new RegExp(`^(?:${source})$`, 'u');
}

/**
 * `pattern` as a RegExp that finds matches anywhere (not anchored), with the `g` flag when
 * `global` (RE2's GlobalReplace, which Envoy's regex path rewrite uses).
 */
export function compileRe2Unanchored(pattern: string, opts: Re2Options & { global?: boolean } = {}): RegExp {
  const source = checkedSource(pattern, opts);
  return new RegExp(source, opts.global === true ? 'gu' : 'u');
}

function checkedSource(pattern: string, opts: Re2Options): string {
  const problem = re2Problem(pattern);
  if (problem !== undefined) throw new Error(problem);
  const translated = translate(pattern, opts.ignoreCase === true);
  if ('error' in translated) throw new Error(translated.error); // unreachable: re2Problem ran the same translation
  return translated.source;
}

/** A parsed RE2 rewrite string: literal text and `\N` capture references (`\0` = whole match). */
export type Re2Substitution = readonly (string | number)[];

/**
 * Parses an RE2 rewrite string (`\1`…`\9` name captures, `\0` the whole match, `\\` a
 * backslash; any other backslash is an error, as in RE2::Rewrite). `groups` is the number
 * of capture groups of the pattern it goes with (a reference beyond it is an error).
 */
export function parseRe2Substitution(sub: string, groups: number): Re2Substitution | { error: string } {
  const parts: (string | number)[] = [];
  let lit = '';
  for (let i = 0; i < sub.length; i++) {
    const c = sub[i] ?? '';
    if (c !== '\\') {
      lit += c;
      continue;
    }
    const n = sub[i + 1];
    i++;
    if (n === '\\') {
      lit += '\\';
    } else if (n !== undefined && n >= '0' && n <= '9') {
      const group = Number(n);
      if (group > groups) return { error: `substitution "${sub}" refers to group \\${group} but the pattern has ${groups} group(s)` };
      if (lit !== '') parts.push(lit);
      lit = '';
      parts.push(group);
    } else {
      return { error: `substitution "${sub}": a backslash must be followed by a digit or a backslash` };
    }
  }
  if (lit !== '') parts.push(lit);
  return parts;
}

/** The number of capture groups of a compiled RegExp. */
export function captureGroupCount(re: RegExp): number {
  const m = new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('');
  return m === null ? 0 : m.length - 1;
}

/** Replaces every match of the global `re` in `input` by `sub` (RE2::GlobalReplace). */
export function re2ReplaceAll(re: RegExp, input: string, sub: Re2Substitution): string {
  return input.replace(re, (...args: unknown[]) => {
    let out = '';
    for (const part of sub) {
      if (typeof part === 'string') out += part;
      else {
        const g = args[part];
        out += typeof g === 'string' ? g : '';
      }
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------
// Translation

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

interface Translated {
  source: string;
}

/** Letter escapes RE2 understands (`\b`… are assertions, `\p`/`\P`/`\x` handled specially). */
const RE2_LETTER_ESCAPES = new Set(['a', 'f', 't', 'n', 'r', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z', 'C', 'Q', 'E', 'p', 'P', 'x']);
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
/** Characters a JavaScript `u` pattern needs escaped outside a class (and may escape). */
const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const MAX_CP = 0x10ffff;

type Range = readonly [number, number];

const POSIX_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
/** RE2's Perl classes: note `\s` is only [\t\n\f\r ] (no \v, no Unicode spaces). */
const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

/** One escape sequence: a single character, a class, an assertion or a quoted literal run. */
type Escape =
  | { kind: 'char'; cp: number; next: number }
  | { kind: 'ranges'; ranges: readonly Range[]; negated: boolean; next: number }
  | { kind: 'opaque'; text: string; next: number }
  | { kind: 'assert'; text: string; next: number }
  | { kind: 'literal'; cps: number[]; next: number }
  | { kind: 'skip'; next: number }
  | { error: string };

function translate(p: string, ignoreCase: boolean): Translated | { error: string } {
  let out = '';
  let flags: Flags = { i: ignoreCase, m: false, s: false, U: false };
  const stack: Flags[] = [];
  let i = 0;
  /** After an atom that may be repeated (RE2 `**` and friends are left for RegExp to reject). */
  const quantifier = (q: string, at: number): number => {
    let next = at;
    let lazy = false;
    if (p[next] === '?') {
      lazy = true;
      next++;
    }
    out += q + (lazy !== flags.U ? '?' : '');
    return next;
  };
  while (i < p.length) {
    const c = p[i] ?? '';
    if (c === '\\') {
      const e = escape(p, i, false);
      if ('error' in e) return e;
      i = e.next;
      if (e.kind === 'char') out += literal(e.cp, flags.i);
      else if (e.kind === 'literal') out += e.cps.map((cp) => literal(cp, flags.i)).join('');
      else if (e.kind === 'ranges') out += classText(e.ranges, [], e.negated, flags.i);
      else if (e.kind === 'opaque' || e.kind === 'assert') out += e.text;
      continue;
    }
    if (c === '[') {
      const cls = charClass(p, i, flags.i);
      if ('error' in cls) return cls;
      out += cls.text;
      i = cls.next;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] !== '?') {
        stack.push(flags);
        out += '(';
        i++;
        continue;
      }
      const rest = p.slice(i + 2);
      if (/^[=!]/.test(rest) || /^<[=!]/.test(rest)) return { error: 'lookahead/lookbehind assertions are not supported' };
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        stack.push(flags);
        out += `(?<${named[1] ?? ''}>`;
        i += 2 + named[0].length;
        continue;
      }
      const f = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (f && (f[1] !== '' || f[2] !== undefined)) {
        const set = f[1] ?? '';
        const clear = f[2] ?? '';
        const changed: Flags = {
          i: set.includes('i') || (flags.i && !clear.includes('i')),
          m: set.includes('m') || (flags.m && !clear.includes('m')),
          s: set.includes('s') || (flags.s && !clear.includes('s')),
          U: set.includes('U') || (flags.U && !clear.includes('U')),
        };
        if (f[3] === ':') {
          stack.push(flags);
          out += '(?:';
        }
        flags = changed; // (?i) alone: until the end of the enclosing group
        i += 2 + f[0].length;
        continue;
      }
      if (rest.startsWith(':')) {
        stack.push(flags);
        out += '(?:';
        i += 3;
        continue;
      }
      return { error: 'invalid or unsupported Perl syntax after "(?"' };
    }
    if (c === ')') {
      const outer = stack.pop();
      if (outer === undefined) return { error: 'unexpected )' };
      flags = outer;
      out += ')';
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      i = quantifier(c, i + 1);
      continue;
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (rep) {
        const lo = Number(rep[1]);
        const hi = rep[3] ? Number(rep[3]) : lo;
        if (lo > MAX_REPEAT || hi > MAX_REPEAT) return { error: `bad repetition operator (counts above ${MAX_REPEAT})` };
        if (rep[3] && hi < lo) return { error: 'bad repetition operator (max < min)' };
        i = quantifier(rep[0], i + rep[0].length);
        continue;
      }
      out += '\\{'; // RE2: a brace that does not start a repetition is literal
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      i++;
      continue;
    }
    if (c === '.') {
      out += flags.s ? '[^]' : '[^\\n]';
      i++;
      continue;
    }
    if (c === '^') {
      out += flags.m ? '(?<![^\\n])' : '^';
      i++;
      continue;
    }
    if (c === '$') {
      out += flags.m ? '(?![^\\n])' : '$';
      i++;
      continue;
    }
    if (c === '|') {
      out += '|';
      i++;
      continue;
    }
    const cp = p.codePointAt(i) ?? 0;
    out += literal(cp, flags.i);
    i += cp > 0xffff ? 2 : 1;
  }
  return { source: out };
}

/** Parses the escape at p[i] === '\\'. `inClass`: assertions are not allowed. */
function escape(p: string, i: number, inClass: boolean): Escape {
  const n = p[i + 1];
  if (n === undefined) return { error: 'trailing backslash' };
  if (n === 'Q') {
    // \Q...\E quotes literally.
    const end = p.indexOf('\\E', i + 2);
    const lit = p.slice(i + 2, end < 0 ? p.length : end);
    return { kind: 'literal', cps: [...lit].map((ch) => ch.codePointAt(0) ?? 0), next: end < 0 ? p.length : end + 2 };
  }
  if (n >= '0' && n <= '9') {
    const octal = /^[0-7]{1,3}/.exec(p.slice(i + 1))?.[0] ?? '';
    // RE2: \0 and \1..\7 followed by octal digits are octal codes; a lone \1..\9 is a backreference.
    if (n === '0' || octal.length >= 2) return { kind: 'char', cp: parseInt(octal, 8), next: i + 1 + octal.length };
    return { error: `backreferences (\\${n}) are not supported` };
  }
  if (n === 'k' && p[i + 2] === '<') return { error: 'named backreferences are not supported' };
  if (/[a-zA-Z]/.test(n)) {
    if (!RE2_LETTER_ESCAPES.has(n)) return { error: `invalid escape sequence \\${n}` };
  } else {
    const cp = p.codePointAt(i + 1) ?? 0;
    if (cp >= 0x80) return { error: 'invalid escape sequence (non-ASCII character)' };
    return { kind: 'char', cp, next: i + 2 }; // escaped punctuation is literal
  }
  const control = CONTROL_ESCAPES[n];
  if (control !== undefined) return { kind: 'char', cp: control, next: i + 2 };
  const perl = PERL_CLASSES[n.toLowerCase()];
  if (perl !== undefined) return { kind: 'ranges', ranges: perl, negated: n !== n.toLowerCase(), next: i + 2 };
  if (n === 'E') return { kind: 'skip', next: i + 2 };
  if (n === 'C') return inClass ? { error: 'invalid escape \\C in a character class' } : { kind: 'opaque', text: '[^]', next: i + 2 };
  if (n === 'b' || n === 'B' || n === 'A' || n === 'z') {
    if (inClass) return { error: `invalid escape \\${n} in a character class` };
    const text = n === 'A' ? '(?<![^])' : n === 'z' ? '(?![^])' : `\\${n}`;
    return { kind: 'assert', text, next: i + 2 };
  }
  if (n === 'p' || n === 'P') {
    if (p[i + 2] === '{') {
      const close = p.indexOf('}', i + 3);
      if (close < 0) return { error: 'unterminated \\p{...}' };
      return { kind: 'opaque', text: unicodeClass(n, p.slice(i + 3, close)), next: close + 1 };
    }
    const cls = p[i + 2];
    if (cls === undefined) return { error: 'missing Unicode class after \\p' };
    return { kind: 'opaque', text: unicodeClass(n, cls), next: i + 3 };
  }
  // n === 'x'
  if (p[i + 2] === '{') {
    const close = p.indexOf('}', i + 3);
    if (close < 0) return { error: 'unterminated \\x{...}' };
    const hex = p.slice(i + 3, close);
    const cp = /^[0-9A-Fa-f]{1,8}$/.test(hex) ? parseInt(hex, 16) : NaN;
    if (!(cp <= MAX_CP)) return { error: `invalid escape sequence \\x{${hex}}` };
    return { kind: 'char', cp, next: close + 1 };
  }
  const hex = p.slice(i + 2, i + 4);
  if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { error: 'invalid escape sequence \\x (needs two hex digits or braces)' };
  return { kind: 'char', cp: parseInt(hex, 16), next: i + 4 };
}

/** Parses the class starting at p[i] === '['. */
function charClass(p: string, start: number, ignoreCase: boolean): { text: string; next: number } | { error: string } {
  let i = start + 1;
  let negated = false;
  if (p[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: Range[] = [];
  const opaque: string[] = [];
  let first = true;
  while (i < p.length) {
    const c = p[i] ?? '';
    if (c === ']' && !first) {
      return { text: classText(ranges, opaque, negated, ignoreCase), next: i + 1 };
    }
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close < 0) return { error: 'unterminated POSIX class' };
      const raw = p.slice(i + 2, close);
      const name = raw.replace(/^\^/, '');
      const cls = POSIX_CLASSES[name];
      if (cls === undefined) return { error: `invalid character class range [:${name}:]` };
      ranges.push(...(raw !== name ? complement(cls) : cls));
      i = close + 2;
      continue;
    }
    // One item: a single character (possibly the start of a range) or a class escape.
    const lo = classChar(p, i);
    if ('error' in lo) return lo;
    i = lo.next;
    if (lo.kind === 'ranges') {
      ranges.push(...(lo.negated ? complement(lo.ranges) : lo.ranges));
      continue;
    }
    if (lo.kind === 'opaque') {
      opaque.push(lo.text);
      continue;
    }
    if (lo.kind === 'literal') {
      for (const cp of lo.cps) ranges.push([cp, cp]);
      continue;
    }
    if (lo.kind === 'skip') continue;
    if (lo.kind === 'assert') return { error: 'assertion in a character class' };
    if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
      const hi = classChar(p, i + 1);
      if ('error' in hi) return hi;
      if (hi.kind !== 'char') return { error: 'bad character class range (a range must end with a character)' };
      if (hi.cp < lo.cp) return { error: 'bad character class range (end before start)' };
      ranges.push([lo.cp, hi.cp]);
      i = hi.next;
      continue;
    }
    ranges.push([lo.cp, lo.cp]);
  }
  return { error: 'missing closing ]' };
}

function classChar(p: string, i: number): Escape {
  if (p[i] === '\\') return escape(p, i, true);
  const cp = p.codePointAt(i) ?? 0;
  return { kind: 'char', cp, next: i + (cp > 0xffff ? 2 : 1) };
}

/** A single literal code point as JavaScript source; both cases when `ignoreCase`. */
function literal(cp: number, ignoreCase: boolean): string {
  if (ignoreCase) {
    const variants = caseVariants(cp);
    if (variants.length > 1) return `[${variants.map(classCp).join('')}]`;
  }
  const ch = String.fromCodePoint(cp);
  if (JS_SYNTAX.has(ch)) return `\\${ch}`;
  if (cp < 0x20 || cp === 0x7f) return classCp(cp);
  return ch;
}

function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = new Set<number>([cp]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    const vcp = v.codePointAt(0);
    if (vcp !== undefined && [...v].length === 1) out.add(vcp);
  }
  return [...out];
}

/** A code point inside a JavaScript `u` class. */
function classCp(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/[0-9A-Za-z]/.test(ch)) return ch;
  if (cp < 0x20 || cp === 0x7f || cp > 0x7e) return `\\u{${cp.toString(16)}}`;
  return JS_SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch;
}

function classText(ranges: readonly Range[], opaque: readonly string[], negated: boolean, ignoreCase: boolean): string {
  const all = ignoreCase ? foldRanges(ranges) : [...ranges];
  const body = merge(all).map(([lo, hi]) => (lo === hi ? classCp(lo) : `${classCp(lo)}-${classCp(hi)}`)).join('') + opaque.join('');
  if (body === '') return negated ? '[^]' : '[]';
  return `[${negated ? '^' : ''}${body}]`;
}

/** Adds the other case of every ASCII letter range and of every single character. */
function foldRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    if (lo === hi) {
      for (const v of caseVariants(lo)) out.push([v, v]);
      continue;
    }
    for (const [a, z, delta] of [[0x61, 0x7a, -32], [0x41, 0x5a, 32]] as const) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, z);
      if (from <= to) out.push([from + delta, to + delta]);
    }
  }
  return out;
}

function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of merge(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

/** RE2 `\p{Greek}` names scripts directly; JavaScript needs `\p{Script=Greek}` for those. */
function unicodeClass(p: string, name: string): string {
  const bare = name.replace(/^\^/, '');
  const neg = bare !== name ? (p === 'p' ? 'P' : 'p') : p;
  try {
    new RegExp(`\\p{${bare}}`, 'u');
    return `\\${neg}{${bare}}`;
  } catch {
    return `\\${neg}{Script=${bare}}`;
  }
}
