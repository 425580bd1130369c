// The waypoint's L7 engine: pure stages that compile a service's L7 configuration and
// decide, per request, the route, the rewritten request or the redirect, and the
// destination endpoint. See waypoint/README.md.
export type { CompiledDestinationPolicy, CompiledHttpMatch, CompiledHttpRoute, CompiledPathMatch, CompiledRouteTable, CompiledTcpRoute, StringTest } from './compile.js';
export { compileDestinationPolicy, compileRouteTable } from './compile.js';
export type { LabelledEndpoint } from './destination.js';
export { DEFAULT_LOAD_BALANCER, filterBySubset, lbFor, settingsFor, subsetLabels } from './destination.js';
export type { EffectiveSettings } from './destination.js';
export type { HeaderOpsResult } from './header-ops.js';
export { applyHeaderOps } from './header-ops.js';
export type { PickerEndpoint } from './load-balancer.js';
export { EndpointPicker, endpointId, pickLeastRequest, pickRandom, pickRoundRobin } from './load-balancer.js';
export type { RouteSelection, TcpConnectionInfo, TcpRouteSelection } from './match.js';
export { headerValue, selectRoute, selectTcpRoute } from './match.js';
export type { RedirectAnswer } from './redirect.js';
export { redirectLocation } from './redirect.js';
export type { L7Request, L7RequestInit, L7Source, RawHeaders } from './request.js';
export { headerMap, l7Request, parseQuery, splitAuthority, splitPath } from './request.js';
export type { CompiledRewrite, PathSelection } from './rewrite.js';
export { compileRewrite, replacePathPrefix, rewriteAuthority, rewritePath } from './rewrite.js';
export { pickWeighted } from './weights.js';
export type { FaultDecision } from './fault.js';
export { decideFault } from './fault.js';
export type { TryOutcome } from './retry.js';
export { RETRY_BACKOFF, effectiveRetryPolicy, retryBackoffMs, shouldRetry } from './retry.js';
export { pickMirrors, shadowAuthority } from './mirror.js';
export type { Admission } from './circuit-breaker.js';
export { CircuitBreaker } from './circuit-breaker.js';
export type { Observed } from './outlier.js';
export { OutlierDetector } from './outlier.js';
export type { HashInput, HashKey, HashTable } from './consistent-hash.js';
export { MaglevTable, RingHash, buildHashTable, hash32, hashKey } from './consistent-hash.js';
