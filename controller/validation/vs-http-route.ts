// One VirtualService `http[]` rule: matches, the conflicts between actions, mirrors and
// the authority rewrite (semantics reference rules 61-79; VAL validateHTTPRoute,
// validateHTTPRouteConflict, validateAuthorityRewrite). Actions: vs-http-actions.ts.
import type { Field } from './field.js';
import { checkDuration, checkPortNumber } from './field-checks.js';
import type { DestinationRef } from './istio-destination.js';
import { isAuthorityHeader, validateDestination, validateHeaderOperations, validateRouteDestinations } from './istio-destination.js';
import { validateLabelMap } from './labels.js';
import { dns1123Label, istioHeaderName } from './names.js';
import { validateStringMatch } from './string-match.js';
import { validateCors, validateDirectResponse, validateFault, validateRedirect, validateRetries, validateRewrite } from './vs-http-actions.js';
import { validateGatewayNames } from './vs-gateway-names.js';

const HTTP_ROUTE_KEYS = [
  'name', 'match', 'route', 'redirect', 'directResponse', 'delegate', 'rewrite', 'timeout', 'retries', 'fault',
  'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'corsPolicy', 'headers',
];
const MATCH_KEYS = [
  'name', 'uri', 'scheme', 'method', 'authority', 'headers', 'port', 'sourceLabels', 'gateways', 'queryParams',
  'ignoreUriCase', 'withoutHeaders', 'sourceNamespace', 'statPrefix',
];
const JWT_CLAIM_PREFIX = '@request.auth.claims';

export interface HttpRouteContext {
  /** The VS applies to the mesh (no gateways, or `mesh` listed): JWT claim routing is rejected (rule 53). */
  appliesToMesh: boolean;
}

/** Validates `http[i]`; returns the destinations it routes or mirrors to. */
export function validateHttpRoute(f: Field, ctx: HttpRouteContext): DestinationRef[] {
  const refs: DestinationRef[] = [];
  if (!f.present) {
    f.error('http route may not be null');
    return refs;
  }
  if (!f.record()) return refs;
  f.knownKeys(HTTP_ROUTE_KEYS);
  f.key('name').string();

  const matches = f.key('match').list() ?? [];
  for (const m of matches) validateMatch(m, ctx);

  const has = (k: string): boolean => f.key(k).present;
  const route = f.key('route');
  const hasRoute = route.size > 0;
  if (has('redirect')) {
    if (hasRoute) f.key('redirect').error('HTTP route cannot contain both route and redirect');
    if (has('fault')) f.key('redirect').error('HTTP route cannot contain both fault and redirect');
    if (has('rewrite')) f.key('redirect').error('HTTP route rule cannot contain both rewrite and redirect');
    if (has('directResponse')) f.key('redirect').error('HTTP route cannot contain both redirect and directResponse');
  }
  if (has('directResponse')) {
    if (hasRoute) f.key('directResponse').error('HTTP route cannot contain both route and directResponse');
    if (has('rewrite')) f.key('directResponse').error('HTTP route cannot contain both rewrite and directResponse');
  }
  if (has('delegate')) {
    if (hasRoute || has('redirect')) f.key('delegate').error('an HTTP route with delegate must not specify route or redirect');
    validateDelegate(f.key('delegate'));
  }
  if (!hasRoute && !has('redirect') && !has('directResponse') && !has('delegate')) {
    f.error('HTTP route, redirect or directResponse is required');
  }

  refs.push(...validateRouteDestinations(route, { http: true }));
  validateRedirect(f.key('redirect'), matches);
  validateDirectResponse(f.key('directResponse'));
  validateRewrite(f.key('rewrite'));
  validateHeaderOperations(f.key('headers'));
  validateAuthorityRewrite(f);
  if (has('timeout')) checkDuration(f.key('timeout'));
  validateRetries(f.key('retries'));
  validateFault(f.key('fault'));
  validateCors(f.key('corsPolicy'));

  // Mirroring (rule 77).
  if (has('mirror') && has('mirrors')) f.key('mirrors').error('mirror and mirrors are mutually exclusive');
  const mirror = validateDestination(f.key('mirror'), false);
  if (mirror) refs.push(mirror);
  if (has('mirrorPercentage')) checkMirrorPercent(f.key('mirrorPercentage'));
  const mp = f.key('mirrorPercent');
  if (mp.present) {
    mp.warn('using deprecated setting "mirrorPercent", use "mirrorPercentage" instead');
    const n = mp.integer();
    if (n !== undefined && (n < 0 || n > 100)) mp.error(`mirrorPercent must be in range 0..100 (it has ${n})`);
  }
  for (const m of f.key('mirrors').list() ?? []) {
    if (!m.record()) {
      if (!m.present) m.error('mirror cannot be null');
      continue;
    }
    m.knownKeys(['destination', 'percentage']);
    const ref = validateDestination(m.key('destination'), true);
    if (ref) refs.push(ref);
    if (m.key('percentage').present) checkMirrorPercent(m.key('percentage'));
  }
  return refs;
}

function checkMirrorPercent(f: Field): void {
  if (!f.record()) return;
  const v = f.key('value').number();
  if (v !== undefined && (v < 0 || v > 100)) f.key('value').error(`mirror percentage must be in range 0..100 (it has ${v})`);
}

function validateMatch(f: Field, ctx: HttpRouteContext): void {
  if (!f.present) {
    f.error('match may not be null');
    return;
  }
  if (!f.record()) return;
  f.knownKeys(MATCH_KEYS);
  f.key('name').string();
  for (const k of ['uri', 'scheme', 'method', 'authority']) {
    if (f.key(k).present) validateStringMatch(f.key(k));
  }
  for (const [name, hf] of f.key('headers').entries() ?? []) validateHeaderMatch(name, hf, ctx, true);
  for (const [name, hf] of f.key('withoutHeaders').entries() ?? []) validateHeaderMatch(name, hf, ctx, false);
  for (const [, qf] of f.key('queryParams').entries() ?? []) {
    if (!qf.present) qf.error('query param match cannot be null');
    else validateStringMatch(qf);
  }
  if (f.key('port').present) checkPortNumber(f.key('port'));
  validateLabelMap(f.key('sourceLabels'));
  validateGatewayNames(f.key('gateways'));
  const sn = f.key('sourceNamespace').string();
  if (sn !== undefined && sn !== '') {
    const err = dns1123Label(sn);
    if (err) f.key('sourceNamespace').error(`sourceNamespace match ${sn} is invalid: ${err}`);
  }
  f.key('ignoreUriCase').boolean();
}

function validateHeaderMatch(name: string, f: Field, ctx: HttpRouteContext, checkRegex: boolean): void {
  if (!f.present) {
    f.error(`header match ${name} cannot be null`);
    return;
  }
  if (name.startsWith(JWT_CLAIM_PREFIX)) {
    if (ctx.appliesToMesh) {
      f.error(`JWT claim based routing (key: ${name}) is only supported for gateways; this VirtualService applies to the mesh`);
    }
  } else {
    const err = istioHeaderName(name);
    if (err) f.error(err);
    else if (name !== name.toLowerCase()) f.warn(`header keys must be lowercase ("${name.toLowerCase()}")`);
    if (['uri', 'scheme', 'method', 'authority'].includes(name)) f.warn(`the key "${name}" is ignored in the headers map; use the ${name} match field`);
  }
  validateStringMatch(f, { allowEmpty: true, checkRegex });
}

function validateDelegate(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['name', 'namespace']);
  f.key('name').requiredString();
  f.key('namespace').string();
}

/** Authority may be rewritten in one place only (rule 68). */
function validateAuthorityRewrite(f: Field): void {
  const sources: string[] = [];
  const rewriteAuthority = f.key('rewrite').key('authority').value;
  if (typeof rewriteAuthority === 'string' && rewriteAuthority !== '') sources.push('rewrite.authority');
  const req = f.key('headers').key('request');
  for (const op of ['set', 'add']) {
    const m = req.key(op).value;
    if (typeof m === 'object' && m !== null && !Array.isArray(m)) {
      for (const k of Object.keys(m)) if (isAuthorityHeader(k)) sources.push(`headers.request.${op}[${k}]`);
    }
  }
  if (sources.length > 1) f.error(`authority header cannot be set multiple times: ${sources.join(' and ')}`);
}
