// Gateway API route matches → L7 matches, with the keys of the precedence order
// (reference rules 97, 98). HTTPRoute: path Exact / PathPrefix (segment-aware) /
// RegularExpression, no path → PathPrefix `/`; headers; query params; method.
// GRPCRoute: the method match becomes a path, as istiod converts it: service+method →
// exact `/<service>/<method>`, service only → prefix `/<service>/`, method only → regex
// `/[^/]+/<method>` (RegularExpression type: regexes throughout).
import type { L7HeaderMatch, L7HttpMatch, L7PathMatch, L7QueryMatch, L7StringMatch } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { list, rec, str, text } from './common.js';

/** What the precedence order compares, most significant first (istiod sortHTTPRoutes). */
export interface PrecedenceKeys {
  /** Exact 3 > prefix 2 > regex 1 > no path -1. */
  pathRank: number;
  pathLength: number;
  method: boolean;
  headers: number;
  query: number;
}

export type GatewayMatch = { match: L7HttpMatch; keys: PrecedenceKeys } | { dropped: string };

function pathKeys(path: L7PathMatch | undefined): Pick<PrecedenceKeys, 'pathRank' | 'pathLength'> {
  if (!path) return { pathRank: -1, pathLength: 0 };
  if ('exact' in path) return { pathRank: 3, pathLength: path.exact.length };
  if ('pathPrefix' in path) return { pathRank: 2, pathLength: path.pathPrefix.length };
  if ('prefix' in path) return { pathRank: 2, pathLength: path.prefix.length };
  return { pathRank: 1, pathLength: path.regex.length };
}

function valueMatch(type: string | undefined, value: string): L7StringMatch | undefined {
  if (type === undefined || type === 'Exact') return { exact: value };
  if (type === 'RegularExpression') return { regex: value };
  return undefined;
}

/** `[{type, name, value}]` lists (headers, query params); the first entry of a name wins. */
function nameValueMatches(v: unknown, field: string, lowercase: boolean): { matches: { name: string; match: L7StringMatch }[] } | { dropped: string } {
  const out: { name: string; match: L7StringMatch }[] = [];
  for (const [i, item] of list(v).entries()) {
    const h = rec(item);
    const rawName = text(h?.name);
    const value = str(h?.value);
    if (!h || rawName === undefined || value === undefined) return { dropped: `${field}[${i}] has no name or value: the match is dropped` };
    const match = valueMatch(str(h.type), value);
    if (!match) return { dropped: `${field}[${i}].type ${String(h.type)} is not supported: the match is dropped` };
    const name = lowercase ? rawName.toLowerCase() : rawName;
    if (!out.some((m) => m.name === name)) out.push({ name, match });
  }
  return { matches: out };
}

function finish(path: L7PathMatch | undefined, m: Rec, method: string | undefined): GatewayMatch {
  const out: L7HttpMatch = {};
  if (path) out.path = path;
  if (method !== undefined) out.method = { exact: method };
  const headers = nameValueMatches(m.headers, 'headers', true);
  if ('dropped' in headers) return headers;
  if (headers.matches.length > 0) out.headers = headers.matches satisfies L7HeaderMatch[];
  const query = nameValueMatches(m.queryParams, 'queryParams', false);
  if ('dropped' in query) return query;
  if (query.matches.length > 0) out.queryParams = query.matches satisfies L7QueryMatch[];
  return {
    match: out,
    keys: { ...pathKeys(path), method: method !== undefined, headers: headers.matches.length, query: query.matches.length },
  };
}

/** One HTTPRouteMatch (undefined: the rule had no matches, i.e. PathPrefix `/`). */
export function httpRouteMatch(v: Rec | undefined): GatewayMatch {
  const m = v ?? {};
  const p = rec(m.path);
  const type = str(p?.type) ?? 'PathPrefix';
  const value = str(p?.value) ?? '/';
  let path: L7PathMatch;
  if (type === 'Exact') path = { exact: value };
  else if (type === 'PathPrefix') path = { pathPrefix: value.length > 1 ? value.replace(/\/+$/, '') || '/' : value };
  else if (type === 'RegularExpression') path = { regex: value };
  else return { dropped: `path.type ${type} is not supported: the match is dropped` };
  return finish(path, m, text(m.method));
}

/** One GRPCRouteMatch (undefined: the rule had no matches, i.e. every request). */
export function grpcRouteMatch(v: Rec | undefined): GatewayMatch {
  const m = v ?? {};
  const method = rec(m.method);
  let path: L7PathMatch | undefined;
  if (method) {
    const type = str(method.type) ?? 'Exact';
    const service = text(method.service);
    const name = text(method.method);
    if (type !== 'Exact' && type !== 'RegularExpression') return { dropped: `method.type ${type} is not supported: the match is dropped` };
    if (service !== undefined && name !== undefined) path = type === 'Exact' ? { exact: `/${service}/${name}` } : { regex: `/${service}/${name}` };
    else if (service !== undefined) path = type === 'Exact' ? { prefix: `/${service}/` } : { regex: `/${service}/.+` };
    else if (name !== undefined) path = { regex: `/[^/]+/${name}` };
  }
  return finish(path, { headers: m.headers }, undefined);
}

/** Sorts entries by Gateway API precedence; ties keep their input order (oldest route, ns/name, rule order). */
export function comparePrecedence(a: PrecedenceKeys, b: PrecedenceKeys): number {
  if (a.pathRank !== b.pathRank) return b.pathRank - a.pathRank;
  if (a.pathLength !== b.pathLength) return b.pathLength - a.pathLength;
  if (a.method !== b.method) return a.method ? -1 : 1;
  if (a.headers !== b.headers) return b.headers - a.headers;
  return b.query - a.query;
}
