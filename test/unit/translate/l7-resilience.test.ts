// Retries, fault injection and timeouts → L7 routes (reference rules 73-76): VirtualService
// `retries` and `fault`, and the Gateway API rule `retry` and `timeouts.backendRequest` as
// istiod converts them.
import test from 'ava';
import type { L7Fault, L7HttpRoute, L7RetryPolicy } from '../../../api/l7-model.js';
import { DEFAULT_RETRY_POLICY } from '../../../api/l7-model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import type { L7Case } from './l7-builders.js';
import { backend, fqdn, httpRoute, runCase, service, svcParent, to, vs } from './l7-builders.js';

const svcs = [service('reviews'), service('reviews-v1')];
const REVIEWS = fqdn('reviews');
const V1 = fqdn('reviews-v1');
const ID = 'VirtualService default/r';
const H = 'HTTPRoute default/r';

/** A VS `r` for reviews with these http routes. */
const vsHttp = (...http: unknown[]): KubeObject => vs('r', 'default', { hosts: ['reviews'], http });
/** One VS route to reviews with these extra fields. */
const vsRoute = (extra: Record<string, unknown>): KubeObject => vsHttp({ route: [to('reviews')], ...extra });
/** The expected L7 route `#index` of that VS. */
const expectVs = (extra: Partial<L7HttpRoute>, index = 0): L7HttpRoute =>
  ({ name: `${ID}#${index}`, matches: [], action: { route: [{ host: REVIEWS, weight: 100 }] }, ...extra });
const retries = (attempts: number, retryOn: L7RetryPolicy['retryOn'], retriableStatusCodes: number[] = [], extra: Partial<L7RetryPolicy> = {}): L7RetryPolicy =>
  ({ attempts, retryOn, retriableStatusCodes, ...extra });
const withDefaults = (attempts: number, extra: Partial<L7RetryPolicy> = {}): L7RetryPolicy =>
  retries(attempts, [...DEFAULT_RETRY_POLICY.retryOn], [...DEFAULT_RETRY_POLICY.retriableStatusCodes], extra);
const NONE = retries(0, []);
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** The whole warning `<id>: <path>: <message>`, matched literally. */
const warning = (id: string, path: string, message: string): RegExp => new RegExp(`^${escape(`${id}: ${path}: ${message}`)}$`);
const w = (path: string, message: string): RegExp => warning(ID, path, message);

const vsRetryCases: L7Case[] = [
  {
    title: 'rule 74: no retries field leaves retries unset (the waypoint applies Istio\'s default policy)',
    objects: [...svcs, vsRoute({})],
    http: [expectVs({})],
    noWarnings: true,
  },
  {
    title: 'rule 74: attempts without retryOn keep Istio\'s default conditions',
    objects: [...svcs, vsRoute({ retries: { attempts: 3 } })],
    http: [expectVs({ retries: withDefaults(3) })],
    noWarnings: true,
  },
  {
    title: 'rule 75: the default conditions are connection-level and gRPC ones: no 5xx, no status codes',
    objects: [...svcs, vsRoute({ retries: { attempts: 2 } })],
    http: [expectVs({ retries: retries(2, ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'], []) })],
  },
  {
    title: 'rule 74: attempts 0 disables retries',
    objects: [...svcs, vsRoute({ retries: { attempts: 0 } })],
    http: [expectVs({ retries: NONE })],
    noWarnings: true,
  },
  {
    title: 'rule 74: retries without attempts disable retries (attempts defaults to 0)',
    objects: [...svcs, vsRoute({ retries: {} })],
    http: [expectVs({ retries: NONE })],
    noWarnings: true,
  },
  {
    title: 'rule 74: with attempts 0 the other retry fields are ignored, with a warning',
    objects: [...svcs, vsRoute({ retries: { attempts: 0, perTryTimeout: '1s', retryOn: '5xx' } })],
    http: [expectVs({ retries: NONE })],
    warnings: [w('spec.http[0].retries', 'attempts is 0, which disables retries: perTryTimeout, retryOn ignored')],
  },
  {
    title: 'rule 74: perTryTimeout becomes perTryTimeoutMs',
    objects: [...svcs, vsHttp(
      { match: [{ uri: { prefix: '/a' } }], route: [to('reviews')], retries: { attempts: 3, perTryTimeout: '1.5s' } },
      { route: [to('reviews')], retries: { attempts: 1, perTryTimeout: '250ms' } },
    )],
    http: [
      expectVs({ matches: [{ path: { prefix: '/a' } }], retries: withDefaults(3, { perTryTimeoutMs: 1500 }) }),
      expectVs({ retries: withDefaults(1, { perTryTimeoutMs: 250 }) }, 1),
    ],
    noWarnings: true,
  },
  {
    title: 'rules 73, 74: the route timeout and the per-try timeout are kept side by side',
    objects: [...svcs, vsRoute({ timeout: '10s', retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error' } })],
    http: [expectVs({ timeoutMs: 10000, retries: retries(3, ['gateway-error'], [], { perTryTimeoutMs: 2000 }) })],
  },
  {
    title: 'rule 74: retryOn keeps every HTTP and gRPC condition the waypoint implements, in order',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '5xx,gateway-error,reset,connect-failure,refused-stream,retriable-4xx,cancelled,deadline-exceeded,internal,resource-exhausted,unavailable' } })],
    http: [expectVs({ retries: retries(2, ['5xx', 'gateway-error', 'reset', 'connect-failure', 'refused-stream', 'retriable-4xx', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable']) })],
    noWarnings: true,
  },
  {
    title: 'rule 75: the VirtualService docs example gateway-error,connect-failure,refused-stream',
    objects: [...svcs, vsRoute({ retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure,refused-stream' } })],
    http: [expectVs({ retries: retries(3, ['gateway-error', 'connect-failure', 'refused-stream'], [], { perTryTimeoutMs: 2000 }) })],
  },
  {
    title: 'rule 74: a bare status code adds retriable-status-codes and the code',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '503,connect-failure' } })],
    http: [expectVs({ retries: retries(2, ['connect-failure', 'retriable-status-codes'], [503]) })],
    noWarnings: true,
  },
  {
    title: 'rule 75: retryOn "503" alone retries 503 responses only',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '503' } })],
    http: [expectVs({ retries: retries(2, ['retriable-status-codes'], [503]) })],
  },
  {
    title: 'rule 74: retriable-status-codes is not added twice; codes keep their order without repeats',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '502,retriable-status-codes,503,502' } })],
    http: [expectVs({ retries: retries(2, ['retriable-status-codes'], [502, 503]) })],
  },
  {
    title: 'rule 74: retriable-status-codes without codes is kept as written (retries no status)',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: 'reset,retriable-status-codes' } })],
    http: [expectVs({ retries: retries(2, ['reset', 'retriable-status-codes'], []) })],
  },
  {
    title: 'rule 74: parts are trimmed and empty parts skipped, as istiod\'s parseRetryOn',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: ' 5xx , ,503 ' } })],
    http: [expectVs({ retries: retries(2, ['5xx', 'retriable-status-codes'], [503]) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: "0503" and "+503" read as status 503 (strconv.Atoi)',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '0503,+504' } })],
    http: [expectVs({ retries: retries(2, ['retriable-status-codes'], [503, 504]) })],
  },
  {
    title: 'rule 74: conditions Envoy knows but the waypoint does not implement are dropped, each with a warning naming it',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: 'retriable-headers,envoy-ratelimited,5xx,http3-post-connect-failure,reset-before-request' } })],
    http: [expectVs({ retries: retries(2, ['5xx']) })],
    warnings: ['retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'reset-before-request'].map((c) =>
      w('spec.http[0].retries.retryOn', `retry condition ${c} is not implemented by the waypoint: dropped`)),
  },
  {
    title: 'rule 74: an unknown word, or a number Go does not name as a status (600, 499), is dropped with a warning',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: 'bogus,600,499,5xx' } })],
    http: [expectVs({ retries: retries(2, ['5xx']) })],
    warnings: [
      w('spec.http[0].retries.retryOn', '"bogus" is neither a retry condition nor an HTTP status: ignored'),
      w('spec.http[0].retries.retryOn', '"600" is neither a retry condition nor an HTTP status: ignored'),
      w('spec.http[0].retries.retryOn', '"499" is neither a retry condition nor an HTTP status: ignored'),
    ],
  },
  {
    title: 'rule 74: a retryOn with nothing the waypoint implements leaves no condition (nothing is retried)',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: 'envoy-ratelimited' } })],
    http: [expectVs({ retries: retries(2, []) })],
    warnings: [/retry condition envoy-ratelimited is not implemented by the waypoint: dropped$/],
  },
  {
    title: 'rule 74: retryOn "" keeps the default conditions',
    objects: [...svcs, vsRoute({ retries: { attempts: 4, retryOn: '' } })],
    http: [expectVs({ retries: withDefaults(4) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: retryRemoteLocalities is accepted and has no effect (the waypoint has no localities)',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryOn: '5xx', retryRemoteLocalities: true } })],
    http: [expectVs({ retries: retries(2, ['5xx']) })],
    warnings: [w('spec.http[0].retries.retryRemoteLocalities', 'has no effect: the waypoint has no localities')],
  },
  {
    title: 'rule 74: backoff and retryIgnorePreviousHosts false are reported and ignored',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, backoff: '100ms', retryIgnorePreviousHosts: false } })],
    http: [expectVs({ retries: withDefaults(2) })],
    warnings: [
      w('spec.http[0].retries.backoff', 'not supported by the waypoint yet: ignored'),
      w('spec.http[0].retries.retryIgnorePreviousHosts', 'false is not supported by the waypoint: ignored'),
    ],
  },
  {
    title: 'rule 74: retryIgnorePreviousHosts true (the default) is not reported',
    objects: [...svcs, vsRoute({ retries: { attempts: 2, retryIgnorePreviousHosts: true } })],
    http: [expectVs({ retries: withDefaults(2) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: a redirect or direct response route carries no retry policy (nothing is forwarded)',
    objects: [...svcs, vsHttp(
      { match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new' }, retries: { attempts: 3 } },
      { directResponse: { status: 503 }, retries: { attempts: 3 } },
    )],
    http: [
      { name: `${ID}#0`, matches: [{ path: { prefix: '/old' } }], action: { redirect: { status: 301, uri: '/new' } } },
      { name: `${ID}#1`, matches: [], action: { directResponse: { status: 503 } } },
    ],
    noWarnings: true,
  },
  {
    title: 'rules 74, 76: a delegate route without retries or fault inherits the root route\'s; its own win',
    objects: [...svcs,
      vs('root', 'default', { hosts: ['reviews'], http: [{ delegate: { name: 'd' }, retries: { attempts: 5 }, fault: { abort: { httpStatus: 503, percentage: { value: 1 } } } }] }),
      vs('d', 'default', { http: [{ match: [{ uri: { prefix: '/own' } }], route: [to('reviews')], retries: { attempts: 1, retryOn: '5xx' } }, { route: [to('reviews')] }] })],
    http: [
      { name: 'VirtualService default/d#0', matches: [{ path: { prefix: '/own' } }], action: { route: [{ host: REVIEWS, weight: 100 }] },
        retries: retries(1, ['5xx']), fault: { abort: { httpStatus: 503, percentage: 1 } } },
      { name: 'VirtualService default/d#1', matches: [], action: { route: [{ host: REVIEWS, weight: 100 }] },
        retries: withDefaults(5), fault: { abort: { httpStatus: 503, percentage: 1 } } },
    ],
  },
];

const fault = (f: L7Fault): Partial<L7HttpRoute> => ({ fault: f });

const vsFaultCases: L7Case[] = [
  {
    title: 'rule 76: delay fixedDelay and percentage.value',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 7000, percentage: 100 } }))],
    noWarnings: true,
  },
  {
    title: 'rule 76: abort httpStatus with a fractional percentage',
    objects: [...svcs, vsRoute({ fault: { abort: { httpStatus: 418, percentage: { value: 0.1 } } } })],
    http: [expectVs(fault({ abort: { httpStatus: 418, percentage: 0.1 } }))],
    noWarnings: true,
  },
  {
    title: 'rule 76: delay and abort are independent and both kept',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '500ms', percentage: { value: 50 } }, abort: { httpStatus: 503, percentage: { value: 10 } } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 500, percentage: 50 }, abort: { httpStatus: 503, percentage: 10 } }))],
  },
  {
    title: 'rule 76: abort grpcStatus names become their codes (OK 0, UNAVAILABLE 14, UNAUTHENTICATED 16)',
    objects: [...svcs, vsHttp(
      { match: [{ uri: { exact: '/a' } }], route: [to('reviews')], fault: { abort: { grpcStatus: 'OK', percentage: { value: 100 } } } },
      { match: [{ uri: { exact: '/b' } }], route: [to('reviews')], fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } } },
      { route: [to('reviews')], fault: { abort: { grpcStatus: 'UNAUTHENTICATED', percentage: { value: 25 } } } },
    )],
    http: [
      expectVs({ matches: [{ path: { exact: '/a' } }], fault: { abort: { grpcStatus: 0, percentage: 100 } } }),
      expectVs({ matches: [{ path: { exact: '/b' } }], fault: { abort: { grpcStatus: 14, percentage: 100 } } }, 1),
      expectVs({ fault: { abort: { grpcStatus: 16, percentage: 25 } } }, 2),
    ],
    noWarnings: true,
  },
  {
    title: 'rule 76: a delay without percentage delays no request (percentage 0), with a warning',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '5s' } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 5000, percentage: 0 } }))],
    warnings: [w('spec.http[0].fault.delay', 'percentage is not set: no request is delayed (the fault has no effect without a percentage)')],
  },
  {
    title: 'rule 76: an abort without percentage aborts no request (percentage 0), with a warning',
    objects: [...svcs, vsRoute({ fault: { abort: { httpStatus: 500 } } })],
    http: [expectVs(fault({ abort: { httpStatus: 500, percentage: 0 } }))],
    warnings: [w('spec.http[0].fault.abort', 'percentage is not set: no request is aborted (the fault has no effect without a percentage)')],
  },
  {
    title: 'rule 76: an explicit percentage 0 is taken as written, without a warning',
    objects: [...svcs, vsRoute({ fault: { abort: { httpStatus: 500, percentage: { value: 0 } } } })],
    http: [expectVs(fault({ abort: { httpStatus: 500, percentage: 0 } }))],
    noWarnings: true,
  },
  {
    title: 'rule 76: the deprecated integer delay.percent is honoured',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '1s', percent: 30 } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 1000, percentage: 30 } }))],
    noWarnings: true,
  },
  {
    title: 'rule 76: percentage.value wins over the deprecated delay.percent',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '1s', percent: 30, percentage: { value: 2.5 } } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 1000, percentage: 2.5 } }))],
  },
  {
    title: 'rule 76: a delay without fixedDelay (exponentialDelay) is dropped; a fault with nothing left is dropped',
    objects: [...svcs, vsRoute({ fault: { delay: { exponentialDelay: '1s', percentage: { value: 10 } } } })],
    http: [expectVs({})],
    warnings: [w('spec.http[0].fault.delay', 'no fixedDelay (exponentialDelay is not supported): the delay is ignored')],
  },
  {
    title: 'rule 76: an abort without httpStatus or grpcStatus is dropped; the delay stays',
    objects: [...svcs, vsRoute({ fault: { delay: { fixedDelay: '1s', percentage: { value: 10 } }, abort: { percentage: { value: 10 } } } })],
    http: [expectVs(fault({ delay: { fixedDelayMs: 1000, percentage: 10 } }))],
    warnings: [w('spec.http[0].fault.abort', 'no httpStatus or grpcStatus: the abort is ignored')],
  },
  {
    title: 'rule 76: abort status 600 (istiod accepts it, Envoy does not) is dropped with a warning',
    objects: [...svcs, vsRoute({ fault: { abort: { httpStatus: 600, percentage: { value: 10 } } } })],
    http: [expectVs({})],
    warnings: [w('spec.http[0].fault.abort.httpStatus', 'HTTP status 600 is outside 200-599 (Envoy rejects it): the abort is ignored')],
  },
  {
    title: 'rule 76: a fault applies to a direct response route too',
    objects: [...svcs, vsHttp({ directResponse: { status: 200 }, fault: { delay: { fixedDelay: '2s', percentage: { value: 100 } } } })],
    http: [{ name: `${ID}#0`, matches: [], action: { directResponse: { status: 200 } }, fault: { delay: { fixedDelayMs: 2000, percentage: 100 } } }],
    noWarnings: true,
  },
];

// ---- Gateway API ----

/** HTTPRoute `r` attached to reviews with one rule to reviews-v1:80 plus `extra`. */
const hrRule = (extra: Record<string, unknown>, matches?: unknown[]): KubeObject =>
  httpRoute('r', 'default', { parentRefs: [svcParent('reviews')], rules: [{ ...(matches ? { matches } : {}), backendRefs: [backend('reviews-v1', 80)], ...extra }] });
const expectHr = (extra: Partial<L7HttpRoute>, name = `${H}#0`): L7HttpRoute =>
  ({ name, matches: [{ path: { pathPrefix: '/' } }], action: { route: [{ host: V1, port: 80, weight: 1 }] }, ...extra });
const GW_RETRY_ON: L7RetryPolicy['retryOn'] = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled'];
const hw = (path: string, message: string): RegExp => warning(H, path, message);

const gatewayCases: L7Case[] = [
  {
    title: 'rule 74: a rule without retry carries no retry policy (the waypoint applies Istio\'s default)',
    objects: [...svcs, hrRule({})],
    http: [expectHr({})],
    noWarnings: true,
  },
  {
    title: 'rule 74: retry codes add retriable-status-codes after istiod\'s four connection conditions; attempts kept',
    objects: [...svcs, hrRule({ retry: { attempts: 3, codes: [500, 502, 503] } })],
    http: [expectHr({ retries: retries(3, [...GW_RETRY_ON, 'retriable-status-codes'], [500, 502, 503]) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: retry without attempts gets 2 (istiod\'s default); without codes no status condition',
    objects: [...svcs, hrRule({ retry: {} })],
    http: [expectHr({ retries: retries(2, GW_RETRY_ON) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: retry attempts 0 disables retries',
    objects: [...svcs, hrRule({ retry: { attempts: 0, codes: [503] } })],
    http: [expectHr({ retries: NONE })],
    noWarnings: true,
  },
  {
    title: 'rule 74: a retry code Go does not name (499) is never retried, with a warning',
    objects: [...svcs, hrRule({ retry: { attempts: 1, codes: [499, 503] } })],
    http: [expectHr({ retries: retries(1, [...GW_RETRY_ON, 'retriable-status-codes'], [503]) })],
    warnings: [hw('spec.rules[0].retry.codes[0]', '499 is never retried: istiod passes a status it does not know to Envoy as a retry condition, which Envoy ignores')],
  },
  {
    title: 'rule 74: retry.backoff is reported and ignored',
    objects: [...svcs, hrRule({ retry: { attempts: 2, backoff: '100ms' } })],
    http: [expectHr({ retries: retries(2, GW_RETRY_ON) })],
    warnings: [hw('spec.rules[0].retry.backoff', 'not supported by the waypoint yet: ignored')],
  },
  {
    title: 'rules 73, 74: backendRequest with a retry bounds each try; request stays the route timeout',
    objects: [...svcs, hrRule({ retry: { attempts: 3, codes: [503] }, timeouts: { request: '10s', backendRequest: '2s' } })],
    http: [expectHr({ timeoutMs: 10000, retries: retries(3, [...GW_RETRY_ON, 'retriable-status-codes'], [503], { perTryTimeoutMs: 2000 }) })],
    noWarnings: true,
  },
  {
    title: 'rule 73: backendRequest without a retry is the route timeout, as istiod converts it',
    objects: [...svcs, hrRule({ timeouts: { backendRequest: '1500ms' } })],
    http: [expectHr({ timeoutMs: 1500 })],
    noWarnings: true,
  },
  {
    title: 'rule 73: backendRequest without a retry replaces timeouts.request, with a warning',
    objects: [...svcs, hrRule({ timeouts: { request: '10s', backendRequest: '2s' } })],
    http: [expectHr({ timeoutMs: 2000 })],
    warnings: [hw('spec.rules[0].timeouts.backendRequest', 'without a retry it is the route timeout, in place of timeouts.request (as istiod converts it)')],
  },
  {
    title: 'rule 74: backendRequest with retry attempts 0 has no effect, with a warning',
    objects: [...svcs, hrRule({ retry: { attempts: 0 }, timeouts: { request: '10s', backendRequest: '2s' } })],
    http: [expectHr({ timeoutMs: 10000, retries: NONE })],
    warnings: [hw('spec.rules[0].timeouts.backendRequest', 'has no effect: retry.attempts is 0, so there is no retry policy to bound each try')],
  },
  {
    title: 'rule 73: backendRequest 0s is ignored (no timeout)',
    objects: [...svcs, hrRule({ retry: { attempts: 1 }, timeouts: { backendRequest: '0s' } })],
    http: [expectHr({ retries: retries(1, GW_RETRY_ON) })],
    noWarnings: true,
  },
  {
    title: 'rule 74: every route of a rule with several matches gets the rule\'s retry policy',
    objects: [...svcs, hrRule({ retry: { attempts: 4 } }, [{ path: { type: 'Exact', value: '/a' } }, { path: { type: 'PathPrefix', value: '/b' } }])],
    http: [
      expectHr({ matches: [{ path: { exact: '/a' } }], retries: retries(4, GW_RETRY_ON) }, `${H}#0.0`),
      expectHr({ matches: [{ path: { pathPrefix: '/b' } }], retries: retries(4, GW_RETRY_ON) }, `${H}#0.1`),
    ],
  },
  {
    title: 'rule 74: a rule answered with 500 (no backend weight) carries no retry policy',
    objects: [...svcs, httpRoute('r', 'default', { parentRefs: [svcParent('reviews')], rules: [{ backendRefs: [backend('reviews-v1', 80, { weight: 0 })], retry: { attempts: 2 } }] })],
    http: [{ name: `${H}#0`, matches: [{ path: { pathPrefix: '/' } }], action: { directResponse: { status: 500 } } }],
  },
];

for (const c of [...vsRetryCases, ...vsFaultCases, ...gatewayCases]) test(c.title, (t) => runCase(t, c));
