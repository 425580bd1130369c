// Validation of retries, fault injection and timeouts (reference rules 74 and 76; VAL
// validateHTTPRetry, validateHTTPFaultInjection*, validateHTTPStatus; GWAPI HTTPRouteRetry):
// each case is one VirtualService route or HTTPRoute rule and the exact errors (and, where
// given, warnings) it gets.
import test from 'ava';
import { validateResource } from '../../../controller/validation/validate.js';
import { errors, obj, warnings } from './build.js';

interface Case {
  title: string;
  /** Extra fields of `http[0]` (a VirtualService) or `rules[0]` (an HTTPRoute). */
  route: Record<string, unknown>;
  kind?: 'VirtualService' | 'HTTPRoute';
  errors: string[];
  /** Each must be among the warnings. */
  warnings?: string[];
}

function findings(c: Case): { errors: string[]; warnings: string[] } {
  const o = c.kind === 'HTTPRoute'
    ? obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'r', 'default', {
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      rules: [{ backendRefs: [{ name: 'reviews', port: 9080 }], ...c.route }],
    })
    : obj('networking.istio.io/v1', 'VirtualService', 'r', 'default', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...c.route }] });
  const f = validateResource(o);
  return { errors: errors(f), warnings: warnings(f) };
}

const R = 'spec.http[0].retries';
const F = 'spec.http[0].fault';
const retries = (r: Record<string, unknown>): Record<string, unknown> => ({ retries: r });
const fault = (f: Record<string, unknown>): Record<string, unknown> => ({ fault: f });
const ENVOY_CONDITIONS = '5xx,gateway-error,reset,reset-before-request,connect-failure,retriable-4xx,refused-stream,retriable-status-codes,'
  + 'retriable-headers,envoy-ratelimited,http3-post-connect-failure,cancelled,deadline-exceeded,internal,resource-exhausted,unavailable';

const retryCases: Case[] = [
  { title: 'attempts, perTryTimeout and retryOn', route: retries({ attempts: 3, perTryTimeout: '2s', retryOn: '5xx,gateway-error' }), errors: [] },
  { title: 'attempts 0 alone disables retries', route: retries({ attempts: 0 }), errors: [] },
  { title: 'an empty retries (attempts 0) is valid', route: retries({}), errors: [] },
  { title: 'negative attempts', route: retries({ attempts: -1 }), errors: [`${R}.attempts: attempts cannot be negative`] },
  {
    title: 'attempts 0 with perTryTimeout',
    route: retries({ attempts: 0, perTryTimeout: '2s' }),
    errors: [`${R}: http retry policy configured (perTryTimeout) when attempts are set to 0 (disabled)`],
  },
  {
    title: 'attempts 0 with retryOn and retryRemoteLocalities (even false)',
    route: retries({ attempts: 0, retryOn: '5xx', retryRemoteLocalities: false }),
    errors: [`${R}: http retry policy configured (retryOn, retryRemoteLocalities) when attempts are set to 0 (disabled)`],
  },
  {
    title: 'attempts unset (0) with retryOn',
    route: retries({ retryOn: 'connect-failure' }),
    errors: [`${R}: http retry policy configured (retryOn) when attempts are set to 0 (disabled)`],
  },
  { title: 'attempts 0 with retryOn "" is not a configured policy', route: retries({ attempts: 0, retryOn: '' }), errors: [] },
  { title: 'perTryTimeout below 1ms', route: retries({ attempts: 1, perTryTimeout: '500us' }), errors: [`${R}.perTryTimeout: duration "500us" must be at least 1ms`] },
  { title: 'perTryTimeout 0s', route: retries({ attempts: 1, perTryTimeout: '0s' }), errors: [`${R}.perTryTimeout: duration "0s" must be at least 1ms`] },
  { title: 'perTryTimeout of exactly 1ms', route: retries({ attempts: 1, perTryTimeout: '1ms' }), errors: [] },
  {
    title: 'perTryTimeout finer than ms',
    route: retries({ attempts: 1, perTryTimeout: '1500us' }),
    errors: [`${R}.perTryTimeout: duration "1500us": only durations to ms precision are supported`],
  },
  { title: 'backoff below 1ms', route: retries({ attempts: 1, backoff: '100us' }), errors: [`${R}.backoff: duration "100us" must be at least 1ms`] },
  { title: 'retryOn: every condition istiod accepts', route: retries({ attempts: 1, retryOn: ENVOY_CONDITIONS }), errors: [] },
  { title: 'retryOn: statuses Go names (503, 418, 425, 100)', route: retries({ attempts: 1, retryOn: '503,418,425,100' }), errors: [] },
  { title: 'retryOn: "0503" and "+503" are status 503 to strconv.Atoi', route: retries({ attempts: 1, retryOn: '0503,+503' }), errors: [] },
  {
    title: 'retryOn: numbers Go does not name as statuses (600, 499, 306, 599, 509)',
    route: retries({ attempts: 1, retryOn: '600,499,306,599,509' }),
    errors: ['600', '499', '306', '599', '509'].map((p) => `${R}.retryOn: "${p}" is not a valid retryOn policy`),
  },
  { title: 'retryOn: an unknown word', route: retries({ attempts: 1, retryOn: '5xx,bogus' }), errors: [`${R}.retryOn: "bogus" is not a valid retryOn policy`] },
  { title: 'retryOn: conditions are case-sensitive', route: retries({ attempts: 1, retryOn: '5XX' }), errors: [`${R}.retryOn: "5XX" is not a valid retryOn policy`] },
  {
    title: 'retryOn: parts are not trimmed and an empty part is invalid',
    route: retries({ attempts: 1, retryOn: '5xx, reset,' }),
    errors: [`${R}.retryOn: " reset" is not a valid retryOn policy`, `${R}.retryOn: "" is not a valid retryOn policy`],
  },
  { title: 'retryRemoteLocalities must be a boolean', route: retries({ attempts: 1, retryRemoteLocalities: 'yes' }), errors: [`${R}.retryRemoteLocalities: must be a boolean, got string "yes"`] },
];

const faultCases: Case[] = [
  { title: 'fault with neither delay nor abort', route: fault({}), errors: [`${F}: HTTP fault injection must have an abort and/or a delay`] },
  { title: 'delay and abort with percentages', route: fault({ delay: { fixedDelay: '7s', percentage: { value: 100 } }, abort: { httpStatus: 418, percentage: { value: 0.1 } } }), errors: [] },
  { title: 'fixedDelay below 1ms', route: fault({ delay: { fixedDelay: '0s', percentage: { value: 10 } } }), errors: [`${F}.delay.fixedDelay: duration "0s" must be at least 1ms`] },
  { title: 'fixedDelay of exactly 1ms', route: fault({ delay: { fixedDelay: '1ms', percentage: { value: 10 } } }), errors: [] },
  { title: 'abort httpStatus 0', route: fault({ abort: { httpStatus: 0, percentage: { value: 1 } } }), errors: [`${F}.abort.httpStatus: HTTP status 0 is not in range 200-600`] },
  { title: 'abort httpStatus 100 (istiod: below 200)', route: fault({ abort: { httpStatus: 100, percentage: { value: 1 } } }), errors: [`${F}.abort.httpStatus: HTTP status 100 is not in range 200-600`] },
  { title: 'abort httpStatus 200', route: fault({ abort: { httpStatus: 200, percentage: { value: 1 } } }), errors: [] },
  { title: 'abort httpStatus 599', route: fault({ abort: { httpStatus: 599, percentage: { value: 1 } } }), errors: [] },
  {
    title: 'abort httpStatus 600: istiod accepts it, with a warning that Envoy does not',
    route: fault({ abort: { httpStatus: 600, percentage: { value: 1 } } }),
    errors: [],
    warnings: [`${F}.abort.httpStatus: Envoy rejects abort status 600 (it takes 200-599): the waypoint ignores this abort`],
  },
  { title: 'abort httpStatus 601', route: fault({ abort: { httpStatus: 601, percentage: { value: 1 } } }), errors: [`${F}.abort.httpStatus: HTTP status 601 is not in range 200-600`] },
  { title: 'abort grpcStatus name', route: fault({ abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 1 } } }), errors: [] },
  {
    title: 'abort grpcStatus unknown name',
    route: fault({ abort: { grpcStatus: 'BAD_STATUS', percentage: { value: 1 } } }),
    errors: [`${F}.abort.grpcStatus: must be one of OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED, got "BAD_STATUS"`],
  },
  {
    title: 'abort percentage over 100',
    route: fault({ abort: { httpStatus: 500, percentage: { value: 100.5 } } }),
    errors: [`${F}.abort.percentage.value: percentage 100.5 is neither 0.0, nor in range [0.0001, 100.0]`],
  },
  {
    title: 'delay percentage below 0',
    route: fault({ delay: { fixedDelay: '1s', percentage: { value: -1 } } }),
    errors: [`${F}.delay.percentage.value: percentage -1 is neither 0.0, nor in range [0.0001, 100.0]`],
  },
  {
    title: 'percentage between 0 and 0.0001',
    route: fault({ abort: { httpStatus: 500, percentage: { value: 0.00001 } } }),
    errors: [`${F}.abort.percentage.value: percentage 0.00001 is neither 0.0, nor in range [0.0001, 100.0]`],
  },
  { title: 'percentages 0 and 0.0001 are valid', route: fault({ delay: { fixedDelay: '1s', percentage: { value: 0 } }, abort: { httpStatus: 500, percentage: { value: 0.0001 } } }), errors: [] },
  {
    title: 'percentage omitted: valid, with a warning that no request is affected',
    route: fault({ delay: { fixedDelay: '1s' }, abort: { httpStatus: 500 } }),
    errors: [],
    warnings: [`${F}.delay: percentage is not set: no request will be delayed`, `${F}.abort: percentage is not set: no request will be aborted`],
  },
  { title: 'the deprecated delay.percent out of range', route: fault({ delay: { fixedDelay: '1s', percent: 101 } }), errors: [`${F}.delay.percent: must be in range 0..100, got 101`] },
];

/** Gateway API HTTPRoute rule `retry` and `timeouts`. */
const gatewayCases: Case[] = [
  { title: 'retry with codes, attempts and backoff', kind: 'HTTPRoute', route: { retry: { codes: [500, 503], attempts: 3, backoff: '100ms' } }, errors: [] },
  {
    title: 'retry codes outside 400-599',
    kind: 'HTTPRoute',
    route: { retry: { codes: [399, 600] } },
    errors: ['spec.rules[0].retry.codes[0]: must be in range 400..599, got 399', 'spec.rules[0].retry.codes[1]: must be in range 400..599, got 600'],
  },
  { title: 'retry attempts must be an integer', kind: 'HTTPRoute', route: { retry: { attempts: 1.5 } }, errors: ['spec.rules[0].retry.attempts: must be an integer, got number 1.5'] },
  {
    title: 'retry backoff must be a Gateway API duration',
    kind: 'HTTPRoute',
    route: { retry: { backoff: '1.5s' } },
    errors: ['spec.rules[0].retry.backoff: "1.5s" is not a valid Gateway API duration (e.g. 10s, 500ms, 1h30m)'],
  },
  {
    title: 'backendRequest longer than request',
    kind: 'HTTPRoute',
    route: { timeouts: { request: '1s', backendRequest: '2s' } },
    errors: ['spec.rules[0].timeouts.backendRequest: backendRequest timeout cannot be longer than request timeout'],
  },
];

const groups: [string, Case[]][] = [['rule 74', retryCases], ['rule 76', faultCases], ['rules 73, 74: HTTPRoute', gatewayCases]];
for (const [rule, cases] of groups) {
  for (const c of cases) {
    test(`${rule}: ${c.title}`, (t) => {
      const got = findings(c);
      t.deepEqual(got.errors, c.errors);
      for (const w of c.warnings ?? []) t.true(got.warnings.includes(w), `missing warning "${w}" in ${JSON.stringify(got.warnings)}`);
    });
  }
}
