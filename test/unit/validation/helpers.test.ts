// Table-driven tests for the shared format helpers.
import test from 'ava';
import { durationProblem, parseDurationNs, parseGatewayApiDuration } from '../../../controller/validation/duration.js';
import { Field } from '../../../controller/validation/field.js';
import { FindingCollector } from '../../../controller/validation/finding.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, fqdn, hostsOverlap, hostSubsetOf, ianaSvcName, qualifiedName, wildcardDomain } from '../../../controller/validation/names.js';
import { cidr, ipAddress, ipOrCidr, isValidPort, portString } from '../../../controller/validation/network.js';
import { pathTemplateProblem } from '../../../controller/validation/path-template.js';
import { re2Problem } from '../../../controller/validation/re2.js';
import { authzMatchForm, validateStringMatch } from '../../../controller/validation/string-match.js';
import { isPrime } from '../../../controller/validation/traffic-policy.js';
import { jwksProblem, jwksUriProblem } from '../../../controller/validation/request-authentication.js';

test('parseDurationNs reads Go/CEL and protobuf-JSON durations exactly', (t) => {
  const table: [string, bigint | undefined][] = [
    ['0', 0n],
    ['1s', 1_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['0.001s', 1_000_000n],
    ['100ms', 100_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['2m3.5s', 123_500_000_000n],
    ['250us', 250_000n],
    ['250µs', 250_000n],
    ['10ns', 10n],
    ['.5s', 500_000_000n],
    ['', undefined],
    ['10', undefined],
    ['-1s', undefined],
    ['1 s', undefined],
    ['5 seconds', undefined],
    ['1d', undefined],
    ['s', undefined],
  ];
  for (const [input, want] of table) t.is(parseDurationNs(input), want, input);
});

test('durationProblem applies the 1ms minimum and ms precision', (t) => {
  const table: [string, string | undefined][] = [
    ['1ms', undefined],
    ['2s', undefined],
    ['24h', undefined],
    ['0s', 'must be at least 1ms'],
    ['500us', 'must be at least 1ms'],
    ['1.0005s', 'ms precision'],
    ['ten', 'not a valid duration'],
  ];
  for (const [input, want] of table) {
    const got = durationProblem(input);
    if (want === undefined) t.is(got, undefined, input);
    else t.true(got?.includes(want) ?? false, `${input}: ${got ?? 'no error'}`);
  }
  t.is(durationProblem('0s', { minNs: 0n }), undefined, 'a zero minimum allows 0s');
  t.true(durationProblem('1500ms', { secondPrecision: true })?.includes('seconds precision') ?? false);
  t.is(durationProblem('90s', { secondPrecision: true }), undefined);
});

test('parseGatewayApiDuration accepts only the Gateway API subset', (t) => {
  t.is(parseGatewayApiDuration('10s'), 10_000_000_000n);
  t.is(parseGatewayApiDuration('1h30m'), 5_400_000_000_000n);
  t.is(parseGatewayApiDuration('500ms'), 500_000_000n);
  t.is(parseGatewayApiDuration('1.5s'), undefined, 'no fractions');
  t.is(parseGatewayApiDuration('100us'), undefined, 'no microseconds');
  t.is(parseGatewayApiDuration('123456s'), undefined, 'at most 5 digits');
});

test('authzMatchForm classifies AuthorizationPolicy values (rule 11)', (t) => {
  const table: [string, ReturnType<typeof authzMatchForm>][] = [
    ['abc', 'exact'],
    ['abc*', 'prefix'],
    ['*abc', 'suffix'],
    ['*', 'presence'],
    ['a*b', 'unsupported'],
    ['*a*', 'unsupported'],
    ['**', 'unsupported'],
    ['', 'exact'],
  ];
  for (const [input, want] of table) t.is(authzMatchForm(input), want, input);
});

function stringMatchFindings(value: unknown, opts?: Parameters<typeof validateStringMatch>[1]): string[] {
  const out = new FindingCollector({ kind: 'VirtualService', metadata: { name: 't' } });
  validateStringMatch(new Field(value, 'm', out), opts);
  return out.findings.map((f) => `${f.severity} ${f.path}: ${f.message}`);
}

test('validateStringMatch checks the VirtualService StringMatch forms', (t) => {
  t.deepEqual(stringMatchFindings({ exact: '/a' }), []);
  t.deepEqual(stringMatchFindings({ prefix: '/api' }), []);
  t.deepEqual(stringMatchFindings({ regex: '.*Chrome.*' }), []);
  t.deepEqual(stringMatchFindings({ exact: '' }), [], 'exact "" is allowed (e.g. ?key with no value)');
  t.regex(stringMatchFindings({ prefix: '' })[0] ?? '', /error m\.prefix: prefix string match should not be empty/);
  t.regex(stringMatchFindings({ regex: '*' })[0] ?? '', /error m\.regex: invalid RE2 regex/);
  t.regex(stringMatchFindings({ exact: 'a', regex: 'b' })[0] ?? '', /only one of exact, prefix or regex/);
  t.regex(stringMatchFindings({})[0] ?? '', /one of exact, prefix or regex must be set/);
  t.deepEqual(stringMatchFindings({}, { allowEmpty: true }), [], '{} means presence for headers');
  t.deepEqual(stringMatchFindings({ regex: '*' }, { checkRegex: false }), [], 'withoutHeaders tolerates "*"');
  t.regex(stringMatchFindings('GET')[0] ?? '', /must be a mapping/);
  t.regex(stringMatchFindings({ exact: 'a', prefixx: 'b' })[0] ?? '', /warning m\.prefixx: unknown field/);
});

test('ip and CIDR formats', (t) => {
  const table: [string, boolean][] = [
    ['10.0.0.1', true],
    ['10.0.0.0/8', true],
    ['10.0.0.1/32', true],
    ['0.0.0.0/0', true],
    ['2001:db8::/32', true],
    ['::1', true],
    ['fe80::1/128', true],
    ['10.0.0.0/33', false],
    ['2001:db8::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/08', false],
    ['10.0.0.0/-1', false],
    ['300.1.1.1', false],
    ['10.0.0', false],
    ['example.com', false],
    ['fe80::1%eth0', false],
    ['', false],
  ];
  for (const [input, ok] of table) t.is(ipOrCidr(input) === undefined, ok, input);
  t.truthy(cidr('10.0.0.1'), 'cidr() requires a prefix length');
  t.is(ipAddress('192.168.1.1'), undefined);
  t.truthy(ipAddress('192.168.1.1/32'), 'ipAddress() rejects ranges');
});

test('port formats', (t) => {
  const table: [string, number, boolean][] = [
    ['80', 1, true],
    ['65535', 1, true],
    ['0', 1, false],
    ['0', 0, true],
    ['65536', 0, false],
    ['8080a', 1, false],
    ['-1', 0, false],
    ['1e3', 1, false],
    [' 80', 1, false],
    ['', 1, false],
  ];
  for (const [input, min, ok] of table) t.is(portString(input, min) === undefined, ok, `${input} (min ${min})`);
  t.true(isValidPort(1));
  t.true(isValidPort(65535));
  t.false(isValidPort(0));
  t.false(isValidPort(65536));
  t.false(isValidPort(80.5));
});

test('RE2 validity', (t) => {
  const valid = ['.*Chrome.*', '\\d+$', '^/api/v[0-9]+/.*', '(?i)foo', '(?P<ver>v\\d)', '(?i:abc)def', '[[:alpha:]]+', '\\pL+', '\\p{Greek}', '\\Qa.b\\E', 'a{2,5}', '[]a]', 'x{1000}'];
  for (const p of valid) t.is(re2Problem(p), undefined, p);
  const invalid: [string, string][] = [
    ['*', 'Nothing to repeat'],
    ['(abc', 'Unterminated group'],
    ['a(?=b)', 'lookahead'],
    ['a(?<!b)', 'lookahead/lookbehind'],
    ['(a)\\1', 'backreferences'],
    ['\\q', 'invalid escape'],
    ['a{1001}', 'bad repetition'],
    ['[a', 'missing closing ]'],
    ['', 'must not be empty'],
    ['a'.repeat(1025), 'too large'],
    ['[[:bogus:]]', 'invalid character class'],
  ];
  for (const [p, want] of invalid) t.true(re2Problem(p)?.includes(want) ?? false, `${p.slice(0, 20)}: ${re2Problem(p) ?? 'accepted'}`);
});

test('AuthorizationPolicy path templates (rule 22)', (t) => {
  const table: [string, string | undefined][] = [
    ['/api/{*}/users', undefined],
    ['/api/{**}', undefined],
    ['/{*}/x/{*}/{**}', undefined],
    ['/plain/*', undefined], // not a template: suffix/prefix forms are checked elsewhere
    ['/api/{*}/users/{id}', 'unsupported path template'],
    ['/api/{version=*}/{*}', 'unsupported path template'],
    ['/api/{}/{*}', 'unsupported path template'],
    ['/api/*/{*}', 'unsupported path template'],
    ['/api/{**}/x/{*}', 'must be the last operator'],
    ['/api/{*}/x*', 'bare "*"'],
    ['api/{*}', 'must start with "/"'],
  ];
  for (const [input, want] of table) {
    const got = pathTemplateProblem(input);
    if (want === undefined) t.is(got, undefined, input);
    else t.true(got?.includes(want) ?? false, `${input}: ${got ?? 'accepted'}`);
  }
});

test('name formats', (t) => {
  t.is(dns1123Label('httpbin'), undefined);
  t.truthy(dns1123Label('httpbin.foo'));
  t.truthy(dns1123Label('Httpbin'));
  t.truthy(dns1123Label('a'.repeat(64)));
  t.is(dns1123Subdomain('httpbin.foo'), undefined);
  t.truthy(dns1123Subdomain('-httpbin'));
  t.is(dns1035Label('httpbin'), undefined);
  t.truthy(dns1035Label('1httpbin'));
  t.is(qualifiedName('app.kubernetes.io/name'), undefined);
  t.is(qualifiedName('version'), undefined);
  t.truthy(qualifiedName('a/b/c'));
  t.truthy(qualifiedName('/name'));
  t.truthy(qualifiedName('Bad Key'));
  t.is(ianaSvcName('http'), undefined);
  t.is(ianaSvcName('grpc-port'), undefined);
  t.truthy(ianaSvcName('http_port'));
  t.truthy(ianaSvcName('8080'));
  t.truthy(ianaSvcName('a--b'));
  t.truthy(ianaSvcName('averyveryverylongname'));
});

test('Istio host formats and host overlap', (t) => {
  const hosts: [string, boolean][] = [
    ['reviews', true],
    ['reviews.default.svc.cluster.local', true],
    ['*.example.com', true],
    ['*', true],
    ['istio.io.', true],
    ['*foo.com', true], // partial wildcard: accepted with a warning by ServiceEntry
    ['foo.*.com', false],
    ['a..b', false],
    ['foo.123', false],
    ['', false],
    ['under_score.com', false],
  ];
  for (const [h, ok] of hosts) t.is(wildcardDomain(h) === undefined, ok, h);
  t.truthy(fqdn('*.example.com'), 'an FQDN has no wildcard');
  t.is(fqdn('httpbin.org'), undefined);
  t.true(hostsOverlap('*.example.com', 'api.example.com'));
  t.true(hostsOverlap('*.com', '*.example.com'));
  t.true(hostsOverlap('Reviews', 'reviews'));
  t.false(hostsOverlap('*.example.com', 'example.com'), 'a wildcard does not cover the apex (rule 92)');
  t.false(hostsOverlap('reviews', 'ratings'));
  t.true(hostSubsetOf('login.bookinfo.com', '*.bookinfo.com'));
  t.false(hostSubsetOf('*.bookinfo.com', 'login.bookinfo.com'));
});

test('maglev table sizes must be prime (Envoy primality)', (t) => {
  for (const p of [2, 3, 5, 7, 65537, 4999999]) t.true(isPrime(p), String(p));
  for (const n of [4, 9, 1000, 65536, 5000010]) t.false(isPrime(n), String(n));
});

test('JWKS and jwksUri checks (rule 48)', (t) => {
  t.is(jwksUriProblem('https://example.com/jwks.json'), undefined);
  t.is(jwksUriProblem('http://jwks.example.com:8080/keys'), undefined);
  t.true(jwksUriProblem('ftp://example.com/jwks.json')?.includes('not supported') ?? false);
  t.true(jwksUriProblem('not a url')?.includes('not a valid URL') ?? false);
  t.is(jwksProblem('{"keys":[{"kty":"RSA","e":"AQAB","n":"x"}]}'), undefined);
  t.is(jwksProblem('{"kty":"EC","crv":"P-256","x":"a","y":"b"}'), undefined, 'a single JWK');
  t.truthy(jwksProblem('{"keys":[]}'));
  t.truthy(jwksProblem('{"keys":[{"e":"AQAB"}]}'));
  t.truthy(jwksProblem('[1,2]'));
  t.truthy(jwksProblem('{oops'));
});
