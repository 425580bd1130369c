// RequestAuthentication (security.istio.io): semantics reference §3, rules 42-53
// (VAL ValidateRequestAuthentication / validateJwtRule; jwks vs jwksUri per rule 48).
import type { KubeObject } from '../config/resource.js';
import { durationProblem } from './duration.js';
import type { Field } from './field.js';
import { istioHeaderName } from './names.js';
import { GATEWAY_TARGET, SERVICE_ENTRY_TARGET, SERVICE_TARGET, validatePolicyScope } from './policy-scope.js';
import { isRecord } from '../config/resource.js';

const JWT_RULE_KEYS = [
  'issuer', 'audiences', 'jwksUri', 'jwks', 'fromHeaders', 'fromParams', 'fromCookies', 'outputPayloadToHeader',
  'forwardOriginalToken', 'outputClaimToHeaders', 'timeout', 'spaceDelimitedClaims',
];

export function validateRequestAuthentication(_obj: KubeObject, spec: Field): void {
  if (spec.present && !spec.record()) return;
  spec.knownKeys(['selector', 'targetRef', 'targetRefs', 'jwtRules']);
  validatePolicyScope(spec, [SERVICE_TARGET, SERVICE_ENTRY_TARGET, GATEWAY_TARGET]);
  for (const rule of spec.key('jwtRules').list() ?? []) validateJwtRule(rule);
}

function validateJwtRule(f: Field): void {
  if (!f.present) {
    f.error('jwtRules entry must not be null');
    return;
  }
  if (!f.record()) return;
  f.knownKeys(JWT_RULE_KEYS);
  const issuer = f.key('issuer').string() ?? '';
  const jwksUri = f.key('jwksUri').string() ?? '';
  const jwks = f.key('jwks').string() ?? '';
  if (issuer === '' && jwksUri === '') f.error('issuer or jwksUri must be set');
  if (jwks !== '' && jwksUri !== '') f.key('jwks').error('only one of jwks or jwksUri may be set');
  if (jwksUri !== '') {
    const err = jwksUriProblem(jwksUri);
    if (err) f.key('jwksUri').error(err);
  }
  if (jwks !== '') {
    const err = jwksProblem(jwks);
    if (err) f.key('jwks').error(`jwks parse error: ${err}`);
  }
  f.key('audiences').strings({ nonEmpty: true });
  for (const loc of f.key('fromHeaders').list() ?? []) {
    if (!loc.present) {
      loc.error('location header must not be null');
      continue;
    }
    if (!loc.record()) continue;
    loc.knownKeys(['name', 'prefix']);
    const name = loc.key('name').string();
    if (name === undefined || name === '') loc.key('name').error('location header name must be non-empty string');
    loc.key('prefix').string();
  }
  f.key('fromParams').strings({ nonEmpty: true });
  f.key('fromCookies').strings({ nonEmpty: true });
  f.key('spaceDelimitedClaims').strings({ nonEmpty: true });
  const payloadHeader = f.key('outputPayloadToHeader').string();
  if (payloadHeader !== undefined && payloadHeader !== '') {
    const err = istioHeaderName(payloadHeader);
    if (err) f.key('outputPayloadToHeader').error(err);
  }
  for (const ch of f.key('outputClaimToHeaders').list() ?? []) {
    if (!ch.record()) {
      if (!ch.present) ch.error('outputClaimToHeaders must not be null');
      continue;
    }
    ch.knownKeys(['header', 'claim']);
    const header = ch.key('header').string() ?? '';
    const claim = ch.key('claim').string() ?? '';
    if (header === '' || claim === '') {
      ch.error('outputClaimToHeaders header and claim value must be non-empty string');
      continue;
    }
    const err = istioHeaderName(header);
    if (err) ch.key('header').error(err);
  }
  f.key('forwardOriginalToken').boolean();
  const timeout = f.key('timeout').string();
  if (timeout !== undefined) {
    const err = durationProblem(timeout);
    if (err) f.key('timeout').error(err);
  }
}

/** VAL security.ParseJwksURI: http or https URL with a host. */
export function jwksUriProblem(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `jwksUri "${uri}" is not a valid URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `URI scheme "${u.protocol.replace(/:$/, '')}" is not supported; jwksUri must be http or https`;
  if (u.hostname === '') return `jwksUri "${uri}" has no host`;
  return undefined;
}

/** Inline JWKS: JSON with a non-empty `keys` list (or a single JWK), each key with `kty`. */
export function jwksProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return e instanceof Error ? e.message : 'not JSON';
  }
  if (!isRecord(parsed)) return 'must be a JSON object';
  const keys: unknown[] = Array.isArray(parsed.keys) ? (parsed.keys as unknown[]) : parsed.kty !== undefined ? [parsed] : [];
  if (parsed.keys !== undefined && !Array.isArray(parsed.keys)) return '"keys" must be a list';
  if (keys.length === 0) return 'no keys found';
  for (const [i, k] of keys.entries()) {
    if (!isRecord(k) || typeof k.kty !== 'string' || k.kty === '') return `key ${i} has no "kty"`;
  }
  return undefined;
}
