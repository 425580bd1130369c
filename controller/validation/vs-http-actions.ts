// The actions of a VirtualService `http[]` rule: redirect, directResponse, rewrite,
// retries, fault injection and CORS (semantics reference rules 67, 69, 70, 74-76, 78;
// VAL validateHTTPRedirect, validateHTTPRewrite, validateHTTPRetry, validateHTTPFaultInjection,
// validateCORSPolicy).
import type { Field } from './field.js';
import { checkDuration, checkPercent, checkPortNumber } from './field-checks.js';
import { istioHeaderName } from './names.js';
import { re2Problem } from './re2.js';
import { ENVOY_RETRY_ON, GRPC_STATUS_NAMES, retryOnStatus } from './retry-and-fault-codes.js';
import { stringMatchKind, validateStringMatch } from './string-match.js';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'];

export function validateRedirect(f: Field, matches: Field[]): void {
  if (!f.record()) return;
  f.knownKeys(['uri', 'authority', 'port', 'derivePort', 'scheme', 'redirectCode', 'prefixRewrite']);
  const uri = f.key('uri').string();
  const authority = f.key('authority').string();
  const scheme = f.key('scheme').string();
  const prefixRewrite = f.key('prefixRewrite').string();
  const hasPort = f.key('port').present;
  const hasDerive = f.key('derivePort').present;
  if (!uri && !authority && !scheme && !prefixRewrite && !hasPort && !hasDerive) {
    f.error('redirect must specify URI, authority, scheme, or port');
  }
  const code = f.key('redirectCode').integer();
  if (code !== undefined && code !== 0 && (code < 300 || code > 399)) f.key('redirectCode').error(`${code} is not a valid redirect code, must be 3xx`);
  if (scheme !== undefined && scheme !== '' && scheme !== 'http' && scheme !== 'https') f.key('scheme').error('invalid redirect scheme, must be "http" or "https"');
  if (hasPort) checkPortNumber(f.key('port'));
  if (hasDerive) f.key('derivePort').oneOf(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']);
  if (hasPort && hasDerive) f.key('derivePort').error('only one of port or derivePort may be set');
  if (prefixRewrite !== undefined) {
    if (uri) f.key('prefixRewrite').error('only one of uri or prefixRewrite may be set');
    const allPrefix = matches.length > 0 && matches.every((m) => stringMatchKind(m.key('uri').value) === 'prefix');
    if (!allPrefix) f.key('prefixRewrite').error('prefixRewrite requires every match of the rule to use a uri prefix match');
  }
}

export function validateDirectResponse(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['status', 'body']);
  const sf = f.key('status');
  if (!sf.present) sf.error('status is required');
  else {
    const status = sf.integer();
    if (status !== undefined && (status < 200 || status > 599)) sf.error(`HTTP status ${status} is not in range 200-599`);
  }
  const body = f.key('body');
  if (!body.record()) return;
  body.knownKeys(['string', 'bytes']);
  const set = ['string', 'bytes'].filter((k) => body.key(k).present);
  if (set.length > 1) body.error('only one of string or bytes may be set');
  const text = body.key('string').string() ?? body.key('bytes').string() ?? '';
  if (text.length > 1024 * 1024) body.error('large direct_responses may impact control plane performance, must be less than 1MB');
  else if (text.length > 100 * 1024) body.warn('large direct_responses may impact control plane performance');
}

export function validateRewrite(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['uri', 'authority', 'uriRegexRewrite']);
  const uri = f.key('uri').string() ?? '';
  const authority = f.key('authority').string() ?? '';
  const rr = f.key('uriRegexRewrite');
  if (uri !== '' && rr.present) f.key('uriRegexRewrite').error('rewrite may only contain one of uri or uriRegexRewrite');
  if (uri === '' && !rr.present && authority === '') f.error('rewrite must specify at least one of uri, uriRegexRewrite, or authority');
  if (rr.record()) {
    rr.knownKeys(['match', 'rewrite']);
    const match = rr.key('match').string() ?? '';
    const rewrite = rr.key('rewrite').string() ?? '';
    if (match === '' || rewrite === '') rr.error('uriRegexRewrite requires both rewrite and match fields to be specified');
    if (match !== '') {
      const err = re2Problem(match);
      if (err) rr.key('match').error(err);
    }
  }
}

export function validateRetries(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['attempts', 'perTryTimeout', 'retryOn', 'retryRemoteLocalities', 'retryIgnorePreviousHosts', 'backoff']);
  const af = f.key('attempts');
  const attempts = af.integer();
  if (attempts !== undefined && attempts < 0) af.error('attempts cannot be negative');
  const configured = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter((k) => f.key(k).present && f.key(k).value !== '');
  const effectiveAttempts = af.present ? attempts : 0;
  if (effectiveAttempts === 0 && configured.length > 0) {
    f.error(`http retry policy configured (${configured.join(', ')}) when attempts are set to 0 (disabled)`);
  }
  if (f.key('perTryTimeout').present) checkDuration(f.key('perTryTimeout'));
  if (f.key('backoff').present) checkDuration(f.key('backoff'));
  const retryOn = f.key('retryOn').string();
  if (retryOn !== undefined && retryOn !== '') {
    // istiod does not trim here (" 503" is rejected), unlike the translation.
    for (const policy of retryOn.split(',')) {
      if (retryOnStatus(policy) === undefined && !ENVOY_RETRY_ON.has(policy)) f.key('retryOn').error(`"${policy}" is not a valid retryOn policy`);
    }
  }
  f.key('retryRemoteLocalities').boolean();
  f.key('retryIgnorePreviousHosts').boolean();
}

export function validateFault(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['delay', 'abort']);
  const delay = f.key('delay');
  const abort = f.key('abort');
  if (!delay.present && !abort.present) f.error('HTTP fault injection must have an abort and/or a delay');
  if (delay.record()) {
    delay.knownKeys(['fixedDelay', 'exponentialDelay', 'percentage', 'percent']);
    if (delay.key('exponentialDelay').present) delay.key('exponentialDelay').error('exponentialDelay not supported yet');
    if (delay.key('fixedDelay').present) checkDuration(delay.key('fixedDelay'));
    else if (!delay.key('exponentialDelay').present) delay.error('fixedDelay is required');
    checkFaultPercentage(delay, 'delayed');
  }
  if (abort.record()) {
    abort.knownKeys(['httpStatus', 'grpcStatus', 'http2Error', 'percentage']);
    const types = ['httpStatus', 'grpcStatus', 'http2Error'].filter((k) => abort.key(k).present);
    if (types.length > 1) abort.error(`only one of ${types.join(', ')} may be set`);
    if (abort.key('http2Error').present) abort.key('http2Error').error('HTTP/2 abort fault injection not supported yet');
    if (abort.key('httpStatus').present) {
      const s = abort.key('httpStatus').integer();
      // istiod's validateHTTPStatus: 200-600; Envoy's fault filter takes 200-599 only.
      if (s !== undefined && (s < 200 || s > 600)) abort.key('httpStatus').error(`HTTP status ${s} is not in range 200-600`);
      else if (s === 600) abort.key('httpStatus').warn('Envoy rejects abort status 600 (it takes 200-599): the waypoint ignores this abort');
    }
    if (abort.key('grpcStatus').present) abort.key('grpcStatus').oneOf(GRPC_STATUS_NAMES);
    if (types.length === 0) abort.warn('abort configured, but error type not set');
    checkFaultPercentage(abort, 'aborted');
  }
}

/** Percentage (0-100); when omitted no request is affected (rule 76, ambiguity E). */
function checkFaultPercentage(f: Field, verb: string): void {
  const pct = f.key('percentage');
  if (pct.present) checkPercent(pct);
  const legacy = f.key('percent');
  if (legacy.present) {
    legacy.intInRange(0, 100);
    legacy.warn('percent is deprecated; use percentage.value');
  }
  if (!pct.present && !legacy.present) f.warn(`percentage is not set: no request will be ${verb}`);
}

export function validateCors(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['allowOrigin', 'allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials', 'unmatchedPreflights']);
  if (f.key('allowOrigin').present) {
    f.key('allowOrigin').warn('allowOrigin is deprecated; use allowOrigins');
    f.key('allowOrigin').strings({ nonEmpty: true });
  }
  for (const o of f.key('allowOrigins').list() ?? []) {
    validateStringMatch(o);
    const kind = stringMatchKind(o.value);
    if (kind && (o.key(kind).value === '')) o.error(`'' is not a valid match type for CORS allow origins`);
  }
  for (const m of f.key('allowMethods').strings() ?? []) {
    if (!HTTP_METHODS.includes(m.value)) m.field.error(`"${m.value}" is not a supported HTTP method`);
  }
  for (const k of ['allowHeaders', 'exposeHeaders']) {
    for (const h of f.key(k).strings() ?? []) {
      if (h.value === '*') continue;
      const err = istioHeaderName(h.value);
      if (err) h.field.error(err);
    }
  }
  if (f.key('maxAge').present) checkDuration(f.key('maxAge'), { secondPrecision: true });
  f.key('allowCredentials').boolean();
  if (f.key('unmatchedPreflights').present) f.key('unmatchedPreflights').oneOf(['UNSPECIFIED', 'FORWARD', 'IGNORE']);
}
