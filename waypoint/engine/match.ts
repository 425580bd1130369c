// Route selection: which route of a compiled table a request (or a TCP connection) takes.
// HTTP routes are tried in order and the first that matches wins (rule 59); a route's
// match entries are ORed, the conditions inside an entry ANDed, and a route without
// entries matches everything. No match: undefined, and the caller answers 404 (rule 60).
import type { ParsedIp } from '../../daemon/rbac/ip-address.js';
import { parseConnectionIp } from '../../daemon/rbac/ip-address.js';
import { cidrContains } from '../../daemon/rbac/cidr.js';
import type { CompiledHttpMatch, CompiledHttpRoute, CompiledRouteTable, CompiledTcpMatch, CompiledTcpRoute } from './compile.js';
import type { L7Request } from './request.js';
import { parseQuery, splitPath } from './request.js';
import type { PathSelection } from './rewrite.js';

export interface RouteSelection extends PathSelection {
  readonly route: CompiledHttpRoute;
  /** Index of the entry that matched; -1 when the route has no entries (a catch-all). */
  readonly matchIndex: number;
}

export function selectRoute(table: CompiledRouteTable, req: L7Request): RouteSelection | undefined {
  const { pathname } = splitPath(req.path);
  let query: Map<string, string> | undefined;
  const queryOf = (): Map<string, string> => (query ??= parseQuery(req.path));
  for (const route of table.http) {
    if (route.matches.length === 0) return { route, matchIndex: -1, ...defaultPrefix(table) };
    for (let i = 0; i < route.matches.length; i++) {
      const m = route.matches[i];
      if (m === undefined || !entryMatches(m, req, pathname, queryOf)) continue;
      return { route, matchIndex: i, ...pathSelection(table, m) };
    }
  }
  return undefined;
}

/** What a rewrite or redirect replaces when this entry matched (see PathSelection). */
function pathSelection(table: CompiledRouteTable, m: CompiledHttpMatch): PathSelection {
  const path = m.path;
  if (path === undefined) return defaultPrefix(table);
  if (path.kind === 'prefix') return { matchedPrefix: path.value };
  if (path.kind === 'pathPrefix') return { matchedPrefix: path.value, segmentPrefix: true };
  return {};
}

/** An entry without a path condition is, for Envoy, prefix '/' (HTTPRoute: PathPrefix '/', rule 98). */
function defaultPrefix(table: CompiledRouteTable): PathSelection {
  return table.kind === 'HTTPRoute' ? { matchedPrefix: '', segmentPrefix: true } : { matchedPrefix: '/' };
}

function entryMatches(m: CompiledHttpMatch, req: L7Request, pathname: string, queryOf: () => Map<string, string>): boolean {
  if (m.port !== undefined && m.port !== req.port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== req.source.namespace) return false;
  if (m.path !== undefined && !m.path.test(req.path, pathname)) return false;
  if (m.method !== undefined && !m.method(req.method)) return false;
  if (m.authority !== undefined && !m.authority(req.authority)) return false;
  if (m.scheme !== undefined && !m.scheme(req.scheme)) return false;
  for (const h of m.headers) {
    const value = headerValue(req, h.name);
    // Absent never matches; `invert` (withoutHeaders) then holds (rule 63).
    const matched = value !== undefined && (h.test === undefined || h.test(value));
    if (matched === h.invert) return false;
  }
  if (m.queryParams.length > 0) {
    const query = queryOf();
    for (const q of m.queryParams) {
      const value = query.get(q.name);
      if (value === undefined) return false;
      if (q.test !== undefined && !q.test(value)) return false;
    }
  }
  return true;
}

/** A header's value, pseudo-headers included; `host` is the authority (Envoy stores it as `:authority`). */
export function headerValue(req: L7Request, name: string): string | undefined {
  switch (name) {
    case ':method':
      return req.method;
    case ':authority':
    case 'host':
      return req.authority;
    case ':path':
      return req.path;
    case ':scheme':
      return req.scheme;
    default:
      return req.headers.get(name);
  }
}

// ---------------------------------------------------------------------------------------
// TCP (rule 80)

export interface TcpConnectionInfo {
  /** The service port the client addressed. */
  readonly port: number;
  /** The original destination address. */
  readonly dstIp: string;
  readonly sourceNamespace?: string;
}

export interface TcpRouteSelection {
  readonly route: CompiledTcpRoute;
  /** Index of the entry that matched; -1 for a route without entries. */
  readonly matchIndex: number;
}

/** First tcp route whose entries (ORed; conditions ANDed) accept the connection. */
export function selectTcpRoute(table: CompiledRouteTable, conn: TcpConnectionInfo): TcpRouteSelection | undefined {
  const ip = parseConnectionIp(conn.dstIp);
  for (const route of table.tcp) {
    if (route.matches.length === 0) return { route, matchIndex: -1 };
    const i = route.matches.findIndex((m) => tcpEntryMatches(m, conn, ip));
    if (i >= 0) return { route, matchIndex: i };
  }
  return undefined;
}

function tcpEntryMatches(m: CompiledTcpMatch, conn: TcpConnectionInfo, ip: ParsedIp | undefined): boolean {
  if (m.port !== undefined && m.port !== conn.port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== conn.sourceNamespace) return false;
  if (m.destinationSubnets !== undefined && m.destinationSubnets.length > 0) {
    if (ip === undefined || !m.destinationSubnets.some((c) => cidrContains(c, ip))) return false;
  }
  return true;
}
