// The L7 configuration a waypoint receives for one service: the HTTP and TCP routes for
// traffic addressed to that service (from VirtualServices or Gateway API routes, already
// bound, ordered and checked by the controller) and the destination policy for traffic
// sent to it (from DestinationRules: subsets, load balancing). The controller builds it
// (controller/translate/l7/), the waypoint compiles it (waypoint/engine/) and applies it
// per request. It travels as JSON inside one protobuf message (`L7Config.json`): the
// shape has many optional fields and is checked again on receipt by the daemon's updater.

/** A string condition. `regex` is RE2 syntax and must match the whole value. */
export type L7StringMatch = { exact: string } | { prefix: string } | { regex: string };

/**
 * How a request path is matched. `prefix` is a plain string prefix (VirtualService);
 * `pathPrefix` is segment-aware (Gateway API PathPrefix: `/foo` matches `/foo` and
 * `/foo/x`, not `/foobar`).
 */
export type L7PathMatch = { exact: string } | { prefix: string } | { pathPrefix: string } | { regex: string };

export interface L7HeaderMatch {
  /** Lowercase header name; pseudo-headers `:method`, `:authority`, `:path`, `:scheme` allowed. */
  name: string;
  /** Absent: the header must be present (any value). */
  match?: L7StringMatch;
  /** `withoutHeaders`: the condition holds when the header does not match (or is absent). */
  invert?: boolean;
}

export interface L7QueryMatch {
  name: string;
  /** Absent: the parameter must be present. */
  match?: L7StringMatch;
}

/** One match entry: every condition set must hold (AND). */
export interface L7HttpMatch {
  /** The VirtualService match `name`, when given (shown in logs). */
  name?: string;
  path?: L7PathMatch;
  /** `ignoreUriCase`: exact and prefix path matches ignore case. */
  ignorePathCase?: boolean;
  method?: L7StringMatch;
  authority?: L7StringMatch;
  scheme?: L7StringMatch;
  headers?: L7HeaderMatch[];
  queryParams?: L7QueryMatch[];
  /** The port the client connected to (the Service port). */
  port?: number;
  /** The source workload's namespace (from the client's verified identity). */
  sourceNamespace?: string;
}

export interface L7HeaderOps {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface L7Headers {
  request?: L7HeaderOps;
  response?: L7HeaderOps;
}

/** Where a routed request goes: a service host (FQDN) and port, optionally a subset. */
export interface L7Destination {
  /** Fully qualified host: a Service `<name>.<ns>.svc.cluster.local` or a ServiceEntry host. */
  host: string;
  /** Service port; absent: the port the request arrived on (or the only port). */
  port?: number;
  subset?: string;
  /** Relative weight (rule: weights need not sum to 100; 0 gets nothing). */
  weight: number;
  /** Header operations for requests sent to this destination only. */
  headers?: L7Headers;
  /**
   * Set when the destination cannot be used (e.g. a backendRef to a missing Service):
   * requests that pick it get this status (Gateway API: 500).
   */
  invalidStatus?: number;
}

export interface L7Rewrite {
  /** Replace the matched prefix (prefix matches) or the whole path (other matches). */
  uri?: string;
  /** Gateway API ReplaceFullPath: always the whole path. */
  fullPath?: string;
  /** RE2 pattern and substitution (`\1` captures) applied to the path. */
  uriRegex?: { pattern: string; substitution: string };
  authority?: string;
}

export interface L7Redirect {
  /** Replaces the whole path. */
  uri?: string;
  /** Replaces the matched prefix (needs a prefix match). */
  prefix?: string;
  authority?: string;
  scheme?: string;
  /** Explicit port, or derived: 'protocol-default' | 'request-port'. */
  port?: number | 'protocol-default' | 'request-port';
  /** Default 301. */
  status: number;
}

export interface L7DirectResponse {
  status: number;
  body?: string;
}

export type L7Action =
  | { route: L7Destination[] }
  | { redirect: L7Redirect }
  | { directResponse: L7DirectResponse };

export interface L7HttpRoute {
  /** Shown in logs and config dumps: the VS route name, else `<kind>/<ns>/<name>#<index>`. */
  name: string;
  /** OR of entries; empty = matches every request. */
  matches: L7HttpMatch[];
  action: L7Action;
  rewrite?: L7Rewrite;
  headers?: L7Headers;
  /** Route timeout in ms; absent = none (the Envoy route default). */
  timeoutMs?: number;
  /** Retry policy (rule 74); absent = Istio's default policy (DEFAULT_RETRY_POLICY); attempts 0 = no retries. */
  retries?: L7RetryPolicy;
  /** Fault injection (rule 76). */
  fault?: L7Fault;
  /** Copies of each request sent to other destinations, answers discarded (rule 77). */
  mirrors?: L7Mirror[];
}

export interface L7Mirror {
  /** Where the copy goes (its weight is not used). */
  destination: L7Destination;
  /** Share of requests mirrored, 0–100 (Istio: 100 when `mirrorPercentage` is absent). */
  percentage: number;
}

/** Envoy's retry conditions the waypoint implements (x-envoy-retry-on and x-envoy-retry-grpc-on). */
export const RETRY_CONDITIONS = [
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'refused-stream', 'retriable-4xx', 'retriable-status-codes',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
] as const;
export type L7RetryCondition = typeof RETRY_CONDITIONS[number];

export interface L7RetryPolicy {
  /** Retries (not tries): the backend sees at most 1 + attempts requests. */
  attempts: number;
  /** Bound on each try; absent = the route timeout. */
  perTryTimeoutMs?: number;
  retryOn: L7RetryCondition[];
  /** Statuses `retriable-status-codes` retries (bare codes in Istio's retryOn). */
  retriableStatusCodes: number[];
}

/** Istio's default when a route has no `retries` (MeshConfig defaultHttpRetryPolicy; rule 74, ambiguity J). */
export const DEFAULT_RETRY_POLICY: Readonly<L7RetryPolicy> = Object.freeze({
  attempts: 2,
  retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'] as L7RetryCondition[],
  retriableStatusCodes: [],
});

export interface L7Fault {
  /** Delay before the request is forwarded; percentage 0–100 of requests (omitted in Istio = 0). */
  delay?: { fixedDelayMs: number; percentage: number };
  /** Answer without forwarding: an HTTP status, or for gRPC a gRPC status code (number). */
  abort?: { httpStatus?: number; grpcStatus?: number; percentage: number };
}

export interface L7TcpMatch {
  port?: number;
  /** CIDRs the original destination address must be in. */
  destinationSubnets?: string[];
  sourceNamespace?: string;
}

export interface L7TcpRoute {
  name: string;
  matches: L7TcpMatch[];
  route: L7Destination[];
}

export type L7LoadBalancer = 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH';

/** The parts of a traffic policy that a port-level entry or a subset replaces, each whole (rule 82). */
export interface L7PolicySettings {
  /** Unset in the DestinationRule = LEAST_REQUEST (Istio's default). */
  loadBalancer?: L7LoadBalancer;
  /** `loadBalancer.consistentHash` (rule 85); when set it replaces `loadBalancer` (they are one choice in Istio). */
  consistentHash?: L7ConsistentHash;
  /** Circuit breaking (rule 86); unset limits are unlimited, as Istio sets them. */
  connectionPool?: L7ConnectionPool;
  /** Outlier detection (rule 87); active only when set. */
  outlierDetection?: L7OutlierDetection;
}

export interface L7TrafficPolicy extends L7PolicySettings {
  portLevel?: ({ port: number } & L7PolicySettings)[];
}

/** Session affinity by a hash of the request (rule 85). */
export interface L7ConsistentHash {
  /** What is hashed: a header, a cookie (generated with `ttlMs`, when set, if the request has none), the client IP, or a query parameter. */
  key:
    | { header: string }
    | { cookie: { name: string; path?: string; ttlMs?: number } }
    | { sourceIp: true }
    | { queryParameter: string };
  /** Envoy's ring hash (default, at least `minimumRingSize` entries, default 1024) or Maglev (`tableSize`, a prime, default 65537). */
  algorithm: { ringHash: { minimumRingSize: number } } | { maglev: { tableSize: number } };
}

/** DestinationRule `connectionPool`, counted per waypoint for each destination (service, subset, port). Absent = no limit. */
export interface L7ConnectionPool {
  /** tcp.maxConnections: upstream connections. */
  maxConnections?: number;
  /** tcp.connectTimeout. */
  connectTimeoutMs?: number;
  /** http.http1MaxPendingRequests: requests waiting for a connection. */
  http1MaxPendingRequests?: number;
  /** http.http2MaxRequests: requests in flight. */
  http2MaxRequests?: number;
  /** http.maxRequestsPerConnection: 0 or absent = unlimited; 1 = no keep-alive. */
  maxRequestsPerConnection?: number;
  /** http.maxRetries: retries in flight. */
  maxRetries?: number;
  /** http.idleTimeout: an idle upstream connection closes after this long. */
  idleTimeoutMs?: number;
}

/** DestinationRule `outlierDetection` with Istio's defaults filled in by the controller. */
export interface L7OutlierDetection {
  /** 0 disables; Istio's default 5. */
  consecutive5xxErrors: number;
  /** 502/503/504 only; 0 (the default) disables. */
  consecutiveGatewayErrors: number;
  /** The sweep that returns ejected hosts; default 10 s. */
  intervalMs: number;
  /** Times the number of ejections so far; default 30 s. */
  baseEjectionTimeMs: number;
  /** Default 10; at least one host can always be ejected. */
  maxEjectionPercent: number;
  /** Default 0 (panic mode off). */
  minHealthPercent: number;
}

export interface L7Subset {
  name: string;
  labels: Record<string, string>;
  trafficPolicy?: L7TrafficPolicy;
}

export interface L7RouteTable {
  /** Which kind of resource the routes come from. */
  kind: 'VirtualService' | 'HTTPRoute';
  /** `<Kind> <ns>/<name>` of every resource that contributed, in order. */
  origins: string[];
  /** HTTP routes in evaluation order (first match wins; Gateway API precedence already applied). */
  http: L7HttpRoute[];
  tcp: L7TcpRoute[];
}

export interface L7DestinationPolicy {
  /** `DestinationRule <ns>/<name>` of the rules that contributed. */
  origins: string[];
  subsets: L7Subset[];
  trafficPolicy?: L7TrafficPolicy;
}

/** Everything L7 about one service, keyed like the Service resource (`<ns>/<hostname>`). */
export interface ServiceL7Config {
  service: string;
  /** Routes for requests addressed to this service; absent = straight to the service. */
  routes?: L7RouteTable;
  /** Policy for requests sent to this service; absent = defaults. */
  destination?: L7DestinationPolicy;
}
