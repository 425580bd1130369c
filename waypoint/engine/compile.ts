// Compiles the L7 configuration of one service, once per update: every regex becomes a
// RegExp, every condition a small test function, and the shape is checked (the config
// arrives as JSON). A problem throws AmbitError('AMBIT_ERR_ROUTE_COMPILE') naming the
// service, the route and the field, so the waypoint can keep its previous table and say
// why.
import type {
  L7Action, L7Destination, L7DestinationPolicy, L7Fault, L7Headers, L7HttpRoute, L7Mirror, L7RetryPolicy, L7LoadBalancer, L7RouteTable,
  L7StringMatch, L7Subset, L7TrafficPolicy,
} from '../../api/l7-model.js';
import { AmbitError } from '../../api/errors.js';
import { compileRe2 } from '../../api/re2.js';
import type { CompiledCidr } from '../../daemon/rbac/cidr.js';
import { compileCidr } from '../../daemon/rbac/cidr.js';
import { checkHeaderOps } from './header-ops.js';
import { checkFault, checkRetryPolicy } from './resilience-check.js';
import { asciiLower } from './request.js';
import type { CompiledRewrite } from './rewrite.js';
import { compileRewrite } from './rewrite.js';

/** A compiled string condition. */
export type StringTest = (value: string) => boolean;

export interface CompiledPathMatch {
  readonly kind: 'exact' | 'prefix' | 'pathPrefix' | 'regex';
  /** The configured value (pathPrefix: trailing '/' trimmed, so '/' becomes ''). */
  readonly value: string;
  /** `path` is the request target with query, `pathname` the part before '?'. */
  readonly test: (path: string, pathname: string) => boolean;
}

export interface CompiledHeaderMatch {
  readonly name: string;
  /** Absent: presence. */
  readonly test?: StringTest;
  readonly invert: boolean;
}

export interface CompiledQueryMatch {
  readonly name: string;
  /** Absent: presence. */
  readonly test?: StringTest;
}

export interface CompiledHttpMatch {
  readonly name?: string;
  readonly path?: CompiledPathMatch;
  readonly method?: StringTest;
  readonly authority?: StringTest;
  readonly scheme?: StringTest;
  readonly headers: readonly CompiledHeaderMatch[];
  readonly queryParams: readonly CompiledQueryMatch[];
  readonly port?: number;
  readonly sourceNamespace?: string;
}

export interface CompiledHttpRoute {
  readonly name: string;
  /** Position in the table (evaluation order). */
  readonly index: number;
  /** OR of entries; empty = every request. */
  readonly matches: readonly CompiledHttpMatch[];
  readonly action: L7Action;
  readonly rewrite?: CompiledRewrite;
  readonly headers?: L7Headers;
  readonly timeoutMs?: number;
  readonly retries?: L7RetryPolicy;
  readonly fault?: L7Fault;
  readonly mirrors?: readonly L7Mirror[];
}

export interface CompiledTcpMatch {
  readonly port?: number;
  readonly destinationSubnets?: readonly CompiledCidr[];
  readonly sourceNamespace?: string;
}

export interface CompiledTcpRoute {
  readonly name: string;
  readonly index: number;
  readonly matches: readonly CompiledTcpMatch[];
  readonly route: readonly L7Destination[];
}

export interface CompiledRouteTable {
  readonly service: string;
  readonly kind: L7RouteTable['kind'];
  readonly origins: readonly string[];
  readonly http: readonly CompiledHttpRoute[];
  readonly tcp: readonly CompiledTcpRoute[];
}

/** A destination policy with its subsets indexed by name (the first definition wins, rule 83). */
export interface CompiledDestinationPolicy extends L7DestinationPolicy {
  readonly service: string;
  readonly subsetsByName: ReadonlyMap<string, L7Subset>;
}

/** A shape problem at `field` (relative to the route being compiled). */
class ShapeError extends Error {}

function fail(field: string, problem: string): never {
  throw new ShapeError(`${field}: ${problem}`);
}

const LOAD_BALANCERS: ReadonlySet<string> = new Set<L7LoadBalancer>(['LEAST_REQUEST', 'ROUND_ROBIN', 'RANDOM', 'PASSTHROUGH']);

export function compileRouteTable(service: string, table: L7RouteTable): CompiledRouteTable {
  const where = (what: string): string => `L7 routes of service ${service}: ${what}`;
  const t = table as unknown;
  if (!isRecord(t)) throw compileError(where('the route table is not an object'));
  if (t.kind !== 'VirtualService' && t.kind !== 'HTTPRoute') throw compileError(where(`kind: must be VirtualService or HTTPRoute, got ${JSON.stringify(t.kind)}`));
  const origins = t.origins === undefined ? [] : t.origins;
  if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string')) throw compileError(where('origins: must be a list of strings'));
  if (!Array.isArray(t.http)) throw compileError(where('http: must be a list'));
  if (t.tcp !== undefined && !Array.isArray(t.tcp)) throw compileError(where('tcp: must be a list'));
  const http = (t.http as unknown[]).map((r, i) => inRoute(where, 'http', r, i, () => compileHttpRoute(r, i)));
  const tcp = ((t.tcp ?? []) as unknown[]).map((r, i) => inRoute(where, 'tcp', r, i, () => compileTcpRoute(r, i)));
  return { service, kind: t.kind, origins, http, tcp };
}

/** Runs `f`, turning a ShapeError into an AmbitError naming the service and the route. */
function inRoute<T>(where: (what: string) => string, kind: string, raw: unknown, index: number, f: () => T): T {
  const name = isRecord(raw) && typeof raw.name === 'string' && raw.name !== '' ? `"${raw.name}"` : '(unnamed)';
  try {
    return f();
  } catch (e) {
    if (e instanceof ShapeError) throw compileError(where(`${kind} route ${name} (#${index}): ${e.message}`));
    throw e;
  }
}

function compileError(message: string): AmbitError {
  return new AmbitError('AMBIT_ERR_ROUTE_COMPILE', message);
}

function compileHttpRoute(raw: unknown, index: number): CompiledHttpRoute {
  if (!isRecord(raw)) return fail('route', 'must be an object');
  const r = raw as Partial<Record<keyof L7HttpRoute, unknown>>;
  if (typeof r.name !== 'string' || r.name === '') fail('name', 'must be a non-empty string');
  if (!Array.isArray(r.matches)) return fail('matches', 'must be a list (empty: every request)');
  const matches = (r.matches as unknown[]).map((m, i) => compileHttpMatch(m, `matches[${i}]`));
  const action = checkAction(r.action);
  let rewrite: CompiledRewrite | undefined;
  if (r.rewrite !== undefined) {
    if (!isRecord(r.rewrite)) fail('rewrite', 'must be an object');
    if (!('route' in action)) fail('rewrite', 'only a route action can be rewritten (not a redirect or direct response)');
    try {
      rewrite = compileRewrite(r.rewrite);
    } catch (e) {
      throw new ShapeError(e instanceof Error ? e.message : String(e));
    }
  }
  checkHeaders(r.headers, 'headers');
  if (r.timeoutMs !== undefined && !(typeof r.timeoutMs === 'number' && Number.isFinite(r.timeoutMs) && r.timeoutMs >= 0)) {
    fail('timeoutMs', 'must be a non-negative number of milliseconds');
  }
  let retries: L7RetryPolicy | undefined;
  let fault: L7Fault | undefined;
  try {
    if (r.retries !== undefined) retries = checkRetryPolicy(r.retries);
    if (r.fault !== undefined) fault = checkFault(r.fault);
  } catch (e) {
    throw new ShapeError(e instanceof Error ? e.message : String(e));
  }
  if (r.mirrors !== undefined) {
    if (!Array.isArray(r.mirrors)) fail('mirrors', 'must be a list');
    (r.mirrors as unknown[]).forEach((m, i) => {
      if (!isRecord(m)) return fail(`mirrors[${i}]`, 'must be an object');
      checkDestinations([m.destination], `mirrors[${i}].destination`);
      if (typeof m.percentage !== 'number' || !(m.percentage >= 0 && m.percentage <= 100)) fail(`mirrors[${i}].percentage`, 'must be a number from 0 to 100');
    });
  }
  return {
    name: r.name,
    index,
    matches,
    action,
    ...(rewrite ? { rewrite } : {}),
    ...(r.headers !== undefined ? { headers: r.headers as L7Headers } : {}),
    ...(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {}),
    // Retries and faults act on forwarded requests only.
    ...(retries && 'route' in action ? { retries } : {}),
    ...(fault && 'route' in action ? { fault } : {}),
    ...(Array.isArray(r.mirrors) && r.mirrors.length > 0 && 'route' in action ? { mirrors: r.mirrors as L7Mirror[] } : {}),
  };
}

function compileHttpMatch(raw: unknown, field: string): CompiledHttpMatch {
  if (!isRecord(raw)) return fail(field, 'must be an object');
  if (raw.name !== undefined && typeof raw.name !== 'string') fail(`${field}.name`, 'must be a string');
  if (raw.ignorePathCase !== undefined && typeof raw.ignorePathCase !== 'boolean') fail(`${field}.ignorePathCase`, 'must be a boolean');
  const ignoreCase = raw.ignorePathCase === true;
  const headers = raw.headers === undefined ? [] : raw.headers;
  if (!Array.isArray(headers)) return fail(`${field}.headers`, 'must be a list');
  const queryParams = raw.queryParams === undefined ? [] : raw.queryParams;
  if (!Array.isArray(queryParams)) return fail(`${field}.queryParams`, 'must be a list');
  const out: { -readonly [K in keyof CompiledHttpMatch]: CompiledHttpMatch[K] } = {
    headers: (headers as unknown[]).map((h, i) => {
      const f = `${field}.headers[${i}]`;
      if (!isRecord(h)) return fail(f, 'must be an object');
      if (typeof h.name !== 'string' || h.name === '') return fail(`${f}.name`, 'must be a non-empty header name');
      if (h.invert !== undefined && typeof h.invert !== 'boolean') fail(`${f}.invert`, 'must be a boolean');
      const test = h.match === undefined ? undefined : stringTest(h.match, `${f}.match`);
      return { name: h.name.toLowerCase(), ...(test ? { test } : {}), invert: h.invert === true };
    }),
    queryParams: (queryParams as unknown[]).map((q, i) => {
      const f = `${field}.queryParams[${i}]`;
      if (!isRecord(q)) return fail(f, 'must be an object');
      if (typeof q.name !== 'string' || q.name === '') return fail(`${f}.name`, 'must be a non-empty parameter name');
      const test = q.match === undefined ? undefined : stringTest(q.match, `${f}.match`);
      return { name: q.name, ...(test ? { test } : {}) };
    }),
  };
  if (typeof raw.name === 'string') out.name = raw.name;
  if (raw.path !== undefined) out.path = pathMatch(raw.path, `${field}.path`, ignoreCase);
  if (raw.method !== undefined) out.method = stringTest(raw.method, `${field}.method`);
  if (raw.authority !== undefined) out.authority = stringTest(raw.authority, `${field}.authority`);
  if (raw.scheme !== undefined) out.scheme = stringTest(raw.scheme, `${field}.scheme`);
  if (raw.port !== undefined) out.port = port(raw.port, `${field}.port`);
  if (raw.sourceNamespace !== undefined) {
    if (typeof raw.sourceNamespace !== 'string' || raw.sourceNamespace === '') fail(`${field}.sourceNamespace`, 'must be a non-empty string');
    out.sourceNamespace = raw.sourceNamespace;
  }
  return out;
}

/** The single key and string value of a one-of object, or a ShapeError. */
function oneOf<K extends string>(raw: unknown, field: string, keys: readonly K[]): [K, string] {
  if (!isRecord(raw)) return fail(field, `must be an object with one of ${keys.join(', ')}`);
  const present = keys.filter((k) => raw[k] !== undefined);
  const extra = Object.keys(raw).filter((k) => !(keys as readonly string[]).includes(k));
  if (present.length !== 1 || extra.length > 0) return fail(field, `must have exactly one of ${keys.join(', ')}`);
  const key = present[0] as K;
  const value = raw[key];
  if (typeof value !== 'string') return fail(`${field}.${key}`, 'must be a string');
  return [key, value];
}

function regex(pattern: string, field: string): RegExp {
  try {
    return compileRe2(pattern);
  } catch (e) {
    return fail(field, e instanceof Error ? e.message : String(e));
  }
}

/** A header, query, method, authority or scheme condition: case-sensitive; regex is a full match. */
function stringTest(raw: unknown, field: string): StringTest {
  const [kind, value] = oneOf<keyof UnionKeys<L7StringMatch>>(raw, field, ['exact', 'prefix', 'regex']);
  if (kind === 'exact') return (v) => v === value;
  if (kind === 'prefix') return (v) => v.startsWith(value);
  const re = regex(value, `${field}.regex`);
  return (v) => re.test(v);
}

type UnionKeys<T> = { [K in T extends unknown ? keyof T : never]: unknown };

/**
 * exact: the path without query; prefix: a plain prefix of the request target (Envoy
 * `prefix`), pathPrefix: whole segments of the path without query; regex: a full match of
 * the path without query. ignoreCase (ASCII) applies to exact and prefix only.
 */
function pathMatch(raw: unknown, field: string, ignoreCase: boolean): CompiledPathMatch {
  const [kind, value] = oneOf(raw, field, ['exact', 'prefix', 'pathPrefix', 'regex'] as const);
  switch (kind) {
    case 'exact': {
      const lower = asciiLower(value);
      return { kind, value, test: ignoreCase ? (_p, pn) => asciiLower(pn) === lower : (_p, pn) => pn === value };
    }
    case 'prefix': {
      const lower = asciiLower(value);
      return { kind, value, test: ignoreCase ? (p) => asciiLower(p.slice(0, value.length)) === lower : (p) => p.startsWith(value) };
    }
    case 'pathPrefix': {
      if (!value.startsWith('/')) fail(`${field}.pathPrefix`, 'must start with /');
      const trimmed = value.replace(/\/+$/, '');
      return { kind, value: trimmed, test: (_p, pn) => trimmed === '' || pn === trimmed || pn.startsWith(`${trimmed}/`) };
    }
    case 'regex': {
      const re = regex(value, `${field}.regex`);
      return { kind, value, test: (_p, pn) => re.test(pn) };
    }
  }
}

function checkAction(raw: unknown): L7Action {
  if (!isRecord(raw)) return fail('action', 'must be an object');
  const keys = (['route', 'redirect', 'directResponse'] as const).filter((k) => raw[k] !== undefined);
  if (keys.length !== 1) return fail('action', 'must have exactly one of route, redirect, directResponse');
  if (raw.route !== undefined) {
    checkDestinations(raw.route, 'action.route');
    return raw as L7Action;
  }
  if (raw.redirect !== undefined) {
    const r = raw.redirect;
    const f = 'action.redirect';
    if (!isRecord(r)) return fail(f, 'must be an object');
    if (!isInt(r.status, 300, 399)) fail(`${f}.status`, `must be a 3xx status code, got ${JSON.stringify(r.status)}`);
    for (const k of ['uri', 'prefix', 'authority', 'scheme'] as const) {
      if (r[k] !== undefined && typeof r[k] !== 'string') fail(`${f}.${k}`, 'must be a string');
    }
    if (r.uri !== undefined && r.prefix !== undefined) fail(f, 'uri and prefix are mutually exclusive');
    if (r.port !== undefined && r.port !== 'protocol-default' && r.port !== 'request-port') port(r.port, `${f}.port`);
    return raw as L7Action;
  }
  const d = raw.directResponse;
  const f = 'action.directResponse';
  if (!isRecord(d)) return fail(f, 'must be an object');
  if (!isInt(d.status, 200, 599)) fail(`${f}.status`, `must be a status code in 200-599, got ${JSON.stringify(d.status)}`);
  if (d.body !== undefined && typeof d.body !== 'string') fail(`${f}.body`, 'must be a string');
  return raw as L7Action;
}

/** Non-empty; each host set; weights non-negative integers, not all 0 when more than one (rule 71). */
function checkDestinations(raw: unknown, field: string): void {
  if (!Array.isArray(raw) || raw.length === 0) return fail(field, 'must be a non-empty list of destinations');
  let total = 0;
  (raw as unknown[]).forEach((d, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(d)) return fail(f, 'must be an object');
    if (typeof d.host !== 'string' || d.host === '') fail(`${f}.host`, 'must be a non-empty host name');
    if (d.port !== undefined) port(d.port, `${f}.port`);
    if (d.subset !== undefined && (typeof d.subset !== 'string' || d.subset === '')) fail(`${f}.subset`, 'must be a non-empty subset name');
    if (!isInt(d.weight, 0, Number.MAX_SAFE_INTEGER)) fail(`${f}.weight`, `must be a non-negative integer, got ${JSON.stringify(d.weight)}`);
    total += d.weight as number;
    checkHeaders(d.headers, `${f}.headers`);
    if (d.invalidStatus !== undefined && !isInt(d.invalidStatus, 100, 599)) fail(`${f}.invalidStatus`, 'must be a status code');
  });
  if (raw.length > 1 && total === 0) fail(field, 'the weights of several destinations must not all be 0');
}

function checkHeaders(raw: unknown, field: string): void {
  if (raw === undefined) return;
  if (!isRecord(raw)) return fail(field, 'must be an object');
  try {
    checkHeaderOps(raw.request, `${field}.request`);
    checkHeaderOps(raw.response, `${field}.response`);
  } catch (e) {
    throw new ShapeError(e instanceof Error ? e.message : String(e));
  }
}

function compileTcpRoute(raw: unknown, index: number): CompiledTcpRoute {
  if (!isRecord(raw)) return fail('route', 'must be an object');
  if (typeof raw.name !== 'string' || raw.name === '') fail('name', 'must be a non-empty string');
  if (!Array.isArray(raw.matches)) return fail('matches', 'must be a list (empty: every connection)');
  const matches = (raw.matches as unknown[]).map((m, i): CompiledTcpMatch => {
    const f = `matches[${i}]`;
    if (!isRecord(m)) return fail(f, 'must be an object');
    const out: { -readonly [K in keyof CompiledTcpMatch]: CompiledTcpMatch[K] } = {};
    if (m.port !== undefined) out.port = port(m.port, `${f}.port`);
    if (m.destinationSubnets !== undefined) {
      if (!Array.isArray(m.destinationSubnets)) return fail(`${f}.destinationSubnets`, 'must be a list of CIDRs');
      out.destinationSubnets = (m.destinationSubnets as unknown[]).map((c, j) => cidr(c, `${f}.destinationSubnets[${j}]`));
    }
    if (m.sourceNamespace !== undefined) {
      if (typeof m.sourceNamespace !== 'string' || m.sourceNamespace === '') fail(`${f}.sourceNamespace`, 'must be a non-empty string');
      out.sourceNamespace = m.sourceNamespace;
    }
    return out;
  });
  checkDestinations(raw.route, 'route');
  return { name: raw.name, index, matches, route: raw.route as L7Destination[] };
}

/** `a.b.c.d/n`, an IPv6 CIDR, or a bare address (a /32 or /128). */
function cidr(raw: unknown, field: string): CompiledCidr {
  if (typeof raw !== 'string') return fail(field, 'must be a CIDR string');
  const slash = raw.indexOf('/');
  const address = slash < 0 ? raw : raw.slice(0, slash);
  const lengthText = slash < 0 ? undefined : raw.slice(slash + 1);
  const length = lengthText === undefined ? (address.includes(':') ? 128 : 32) : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  const c = compileCidr({ address, length });
  return c ?? fail(field, `invalid CIDR ${JSON.stringify(raw)}`);
}

function port(raw: unknown, field: string): number {
  if (!isInt(raw, 1, 65535)) return fail(field, `must be a port number (1-65535), got ${JSON.stringify(raw)}`);
  return raw as number;
}

function isInt(x: unknown, min: number, max: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// ---------------------------------------------------------------------------------------
// Destination policy

export function compileDestinationPolicy(service: string, policy: L7DestinationPolicy): CompiledDestinationPolicy {
  const where = (what: string): AmbitError => compileError(`L7 destination policy of service ${service}: ${what}`);
  const p = policy as unknown;
  if (!isRecord(p)) throw where('the policy is not an object');
  const origins = p.origins === undefined ? [] : p.origins;
  if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string')) throw where('origins: must be a list of strings');
  const subsets = p.subsets === undefined ? [] : p.subsets;
  if (!Array.isArray(subsets)) throw where('subsets: must be a list');
  const byName = new Map<string, L7Subset>();
  (subsets as unknown[]).forEach((s, i) => {
    const f = `subsets[${i}]`;
    if (!isRecord(s)) throw where(`${f}: must be an object`);
    if (typeof s.name !== 'string' || s.name === '') throw where(`${f}.name: must be a non-empty string`);
    const label = `subset "${s.name}"`;
    if (!isRecord(s.labels) || !Object.values(s.labels).every((v) => typeof v === 'string')) throw where(`${label}: labels must be a map of strings`);
    const problem = trafficPolicyProblem(s.trafficPolicy);
    if (problem !== undefined) throw where(`${label}: trafficPolicy.${problem}`);
    if (!byName.has(s.name)) byName.set(s.name, s as unknown as L7Subset); // rule 83: the first definition wins
  });
  const problem = trafficPolicyProblem(p.trafficPolicy);
  if (problem !== undefined) throw where(`trafficPolicy.${problem}`);
  return {
    service,
    origins: origins,
    subsets: [...byName.values()],
    ...(p.trafficPolicy !== undefined ? { trafficPolicy: p.trafficPolicy as L7TrafficPolicy } : {}),
    subsetsByName: byName,
  };
}

function trafficPolicyProblem(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return 'must be an object';
  if (raw.loadBalancer !== undefined && !LOAD_BALANCERS.has(raw.loadBalancer as string)) return `loadBalancer: unknown ${JSON.stringify(raw.loadBalancer)}`;
  if (raw.portLevel === undefined) return undefined;
  if (!Array.isArray(raw.portLevel)) return 'portLevel: must be a list';
  for (const [i, pl] of (raw.portLevel as unknown[]).entries()) {
    if (!isRecord(pl) || !isInt(pl.port, 1, 65535)) return `portLevel[${i}].port: must be a port number`;
    if (pl.loadBalancer !== undefined && !LOAD_BALANCERS.has(pl.loadBalancer as string)) return `portLevel[${i}].loadBalancer: unknown ${JSON.stringify(pl.loadBalancer)}`;
  }
  return undefined;
}
