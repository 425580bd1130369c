// PeerAuthentication ambient warnings (rules 34, 40) and RequestAuthentication details.
import test from 'ava';
import { validateResource } from '../../../controller/validation/validate.js';
import { errors, obj, warnings } from './build.js';

function pa(spec: unknown, namespace = 'foo'): ReturnType<typeof obj> {
  return obj('security.istio.io/v1', 'PeerAuthentication', 'default', namespace, spec);
}

test('DISABLE is accepted with a warning that ambient ignores it (rule 40)', (t) => {
  const findings = validateResource(pa({ mtls: { mode: 'DISABLE' } }));
  t.deepEqual(errors(findings), []);
  t.deepEqual(warnings(findings).map((w) => w.split(':')[0]), ['spec.mtls.mode']);
  const portLevel = validateResource(pa({ selector: { matchLabels: { app: 'a' } }, portLevelMtls: { '8080': { mode: 'DISABLE' } } }));
  t.deepEqual(warnings(portLevel).map((w) => w.split(':')[0]), ['spec.portLevelMtls[8080].mode']);
});

test('a selector policy in the root namespace is accepted with a warning that it is ignored (rule 34)', (t) => {
  const findings = validateResource(pa({ selector: { matchLabels: { app: 'a' } }, mtls: { mode: 'STRICT' } }, 'istio-system'));
  t.deepEqual(errors(findings), []);
  t.true(warnings(findings).some((w) => w.startsWith('spec.selector:') && w.includes('is ignored')));
  t.deepEqual(validateResource(pa({ mtls: { mode: 'STRICT' } }, 'istio-system')), [], 'mesh-wide policy has no warning');
});

test('portLevelMtls keys', (t) => {
  const sel = { matchLabels: { app: 'a' } };
  const table: [string, boolean][] = [['1', true], ['65535', true], ['0', false], ['65536', false], ['http', false]];
  for (const [key, ok] of table) {
    const got = errors(validateResource(pa({ selector: sel, portLevelMtls: { [key]: { mode: 'STRICT' } } })));
    t.is(got.length === 0, ok, `${key}: ${got.join('; ')}`);
  }
});

function ra(rule: Record<string, unknown>): ReturnType<typeof obj> {
  return obj('security.istio.io/v1', 'RequestAuthentication', 'jwt', 'foo', { jwtRules: [rule] });
}

test('issuer is optional when jwksUri is set (rule 48)', (t) => {
  t.deepEqual(errors(validateResource(ra({ jwksUri: 'https://example.com/jwks.json' }))), []);
  t.deepEqual(errors(validateResource(ra({ issuer: 'iss' }))), [], 'issuer alone (keys discovered from the issuer)');
  t.deepEqual(errors(validateResource(ra({ audiences: ['a'] }))), ['spec.jwtRules[0]: issuer or jwksUri must be set']);
});

test('RequestAuthentication list fields reject empty strings', (t) => {
  const got = errors(validateResource(ra({ issuer: 'i', audiences: ['a', ''], fromCookies: [''], spaceDelimitedClaims: [''] })));
  t.deepEqual(got, [
    'spec.jwtRules[0].audiences[1]: empty value not allowed',
    'spec.jwtRules[0].fromCookies[0]: empty value not allowed',
    'spec.jwtRules[0].spaceDelimitedClaims[0]: empty value not allowed',
  ]);
});
