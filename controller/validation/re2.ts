// Checks that a pattern is valid RE2 (the syntax Envoy and Istio use). JavaScript has no
// RE2 engine here, so the pattern is scanned for RE2-only syntax (translated) and for
// JS-only syntax RE2 rejects (lookaround, backreferences, unknown escapes), then compiled.

const MAX_LENGTH = 1024;
const MAX_REPEAT = 1000;
/** Letter escapes RE2 understands (plus \p/\P/\x handled specially). */
const RE2_LETTER_ESCAPES = new Set(['a', 'f', 't', 'n', 'r', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z', 'C', 'Q', 'E', 'p', 'P', 'x']);

/** Error message when `pattern` is not valid RE2, else undefined. */
export function re2Problem(pattern: string): string | undefined {
  if (pattern === '') return 'regex must not be empty';
  if (pattern.length > MAX_LENGTH) return `regex is too large, max length allowed is ${MAX_LENGTH}`;
  const translated = translate(pattern);
  if ('error' in translated) return `invalid RE2 regex "${pattern}": ${translated.error}`;
  try {
    new RegExp(translated.source, translated.unicode ? 'u' : '');
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/s, '') : String(e);
    return `invalid RE2 regex "${pattern}": ${msg}`;
  }
  return undefined;
}

interface Translated {
  source: string;
  unicode: boolean;
}

function translate(p: string): Translated | { error: string } {
  let out = '';
  let unicode = false;
  let inClass = false;
  let i = 0;
  while (i < p.length) {
    const c = p[i] ?? '';
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return { error: 'trailing backslash' };
      if (n === 'Q') {
        // \Q...\E quotes literally.
        const end = p.indexOf('\\E', i + 2);
        const lit = p.slice(i + 2, end < 0 ? p.length : end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (/[1-9]/.test(n) && !inClass) {
        const rest = p.slice(i + 1).match(/^[0-7]{1,3}/)?.[0] ?? '';
        if (rest.length < 2) return { error: `backreferences (\\${n}) are not supported` };
      }
      if (n === 'k' && p[i + 2] === '<') return { error: 'named backreferences are not supported' };
      if (/[a-zA-Z]/.test(n) && !RE2_LETTER_ESCAPES.has(n)) return { error: `invalid escape sequence \\${n}` };
      if (n === 'A') { out += '^'; i += 2; continue; }
      if (n === 'z') { out += '$'; i += 2; continue; }
      if (n === 'C') { out += '.'; i += 2; continue; }
      if (n === 'E') { i += 2; continue; }
      if (n === 'p' || n === 'P') {
        unicode = true;
        if (p[i + 2] === '{') {
          const close = p.indexOf('}', i + 3);
          if (close < 0) return { error: 'unterminated \\p{...}' };
          out += unicodeClass(n, p.slice(i + 3, close));
          i = close + 1;
        } else {
          const cls = p[i + 2];
          if (cls === undefined) return { error: 'missing Unicode class after \\p' };
          out += unicodeClass(n, cls);
          i += 3;
        }
        continue;
      }
      if (n === 'x' && p[i + 2] === '{') {
        unicode = true;
        const close = p.indexOf('}', i + 3);
        if (close < 0) return { error: 'unterminated \\x{...}' };
        out += `\\u{${p.slice(i + 3, close)}}`;
        i = close + 1;
        continue;
      }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const close = p.indexOf(':]', i + 2);
        if (close < 0) return { error: 'unterminated POSIX class' };
        const name = p.slice(i + 2, close).replace(/^\^/, '');
        if (!POSIX_CLASSES.has(name)) return { error: `invalid character class range [:${name}:]` };
        out += 'a';
        i = close + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (p[i] === '^') { out += '^'; i++; }
      if (p[i] === ']') { out += '\\]'; i++; } // RE2: a leading ']' is literal
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (/^[=!]/.test(rest) || /^<[=!]/.test(rest)) return { error: 'lookahead/lookbehind assertions are not supported' };
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1] ?? ''}>`;
        i += 2 + named[0].length;
        continue;
      }
      const flags = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (flags && (flags[1] !== '' || flags[2] !== undefined)) {
        // Flag groups are RE2-only: (?i) drops out, (?i:x) becomes a plain group.
        out += flags[3] === ':' ? '(?:' : '';
        i += 2 + flags[0].length;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      return { error: 'invalid or unsupported Perl syntax after "(?"' };
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (rep) {
        const lo = Number(rep[1]);
        const hi = rep[3] ? Number(rep[3]) : lo;
        if (lo > MAX_REPEAT || hi > MAX_REPEAT) return { error: `bad repetition operator (counts above ${MAX_REPEAT})` };
        if (rep[3] && hi < lo) return { error: 'bad repetition operator (max < min)' };
      }
    }
    out += c;
    i++;
  }
  if (inClass) return { error: 'missing closing ]' };
  return { source: out, unicode };
}

const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);

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
