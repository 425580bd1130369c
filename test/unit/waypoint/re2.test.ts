// RE2 patterns compiled for matching: Envoy's regex matchers need the WHOLE value to match,
// and RE2 syntax JavaScript lacks must keep its RE2 meaning.
import test from 'ava';
import { compileRe2, compileRe2Unanchored, parseRe2Substitution, re2Problem, re2ReplaceAll } from '../../../api/re2.js';

const cases: [title: string, pattern: string, value: string, want: boolean][] = [
  ['rule 62: "Chrome" does not full-match a longer value', 'Chrome', 'Mozilla/5.0 Chrome/120', false],
  ['rule 62: ".*Chrome.*" full-matches a longer value', '.*Chrome.*', 'Mozilla/5.0 Chrome/120', true],
  ['rule 62: an alternation is anchored as a whole (a|b does not match "ab")', 'a|b', 'ab', false],
  ['rule 64: \\d+$ matches 123', '\\d+$', '123', true],
  ['rule 64: \\d+$ does not match a123', '\\d+$', 'a123', false],
  ['rule 61: (?i) makes the whole pattern case-insensitive', '(?i)/login', '/LOGIN', true],
  ['rule 61: (?i:...) is scoped to its group', '(?i:ab)c', 'ABC', false],
  ['rule 61: (?i:...) applies inside its group', '(?i:ab)c', 'ABc', true],
  ['rule 61: POSIX [[:alpha:]] is ASCII letters', '[[:alpha:]]+', 'abZ', true],
  ['rule 61: POSIX [[:^digit:]] is the complement', '[[:^digit:]]+', 'ab1', false],
  ['rule 61: \\pL is any letter', '\\pL+', 'héllo', true],
  ['rule 61: \\p{Greek} is a script', '\\p{Greek}+', 'αβγ', true],
  ['rule 61: \\Q...\\E quotes metacharacters', '\\Qa.b\\E', 'axb', false],
  ['rule 61: RE2 "." does not match a newline', 'a.c', 'a\nc', false],
  ['rule 61: (?s) lets "." match a newline', '(?s)a.c', 'a\nc', true],
  ['rule 61: RE2 \\s excludes the vertical tab', '\\s', '\v', false],
  ['rule 61: octal and \\x{...} escapes', '\\101\\x{263a}', 'A☺', true],
  ['rule 61: (?U) swaps greedy and lazy (captures still full-match)', '(?U)a+b', 'aaab', true],
  ['rule 61: a brace that is not a repetition is literal', 'a{', 'a{', true],
];
for (const [title, pattern, value, want] of cases) {
  test(title, (t) => {
    t.is(compileRe2(pattern).test(value), want, compileRe2(pattern).source);
  });
}

test('rule 62: compileRe2 throws the re2Problem message; re2Problem rejects what RE2 rejects', (t) => {
  t.throws(() => compileRe2('a(?=b)'), { message: /lookahead/ });
  t.regex(re2Problem('a)|(b') ?? '', /unexpected \)/);
  t.regex(re2Problem('[a-\\d]') ?? '', /bad character class range/);
  t.is(re2Problem('[]a]'), undefined);
  t.true(compileRe2('[]a]+').test(']a'));
});

test('rule 67: RE2 substitutions: \\N captures, \\\\ backslash, bad escapes and groups rejected', (t) => {
  const re = compileRe2Unanchored('^/service/([^/]+)(/.*)$', { global: true });
  const sub = parseRe2Substitution('\\2/instance/\\1', 2);
  if ('error' in sub) return t.fail(sub.error);
  t.is(re2ReplaceAll(re, '/service/foo/v1/api', sub), '/v1/api/instance/foo');
  t.deepEqual(parseRe2Substitution('a\\\\b\\0', 0), ['a\\b', 0]);
  t.true('error' in parseRe2Substitution('\\x', 1));
  t.true('error' in parseRe2Substitution('\\3', 2));
});
