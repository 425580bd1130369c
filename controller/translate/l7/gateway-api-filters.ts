// Gateway API HTTPRoute/GRPCRoute filters → L7 (GWAPI httproute_types.go, as istiod
// converts them): header modifiers, URLRewrite, RequestRedirect, RequestMirror (its
// backendRef is resolved by the caller, with the rule's own backendRefs; `percent` or
// `fraction`, absent = 100 %). The other filter types are not supported and are reported.
import type { L7HeaderOps, L7Headers, L7Redirect, L7Rewrite } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { clampPercent, compactHeaderOps, compactHeaders, int, list, rec, str, text } from './common.js';
import type { Warn } from './vs-actions.js';

export interface ConvertedFilters {
  headers?: L7Headers;
  /** URLRewrite; `uri` is ReplacePrefixMatch (the rule's PathPrefix match is replaced). */
  rewrite?: L7Rewrite;
  redirect?: L7Redirect;
  /** RequestMirror filters: the backendRef as written and the share of requests mirrored (0–100). */
  mirrors?: { backendRef: unknown; percentage: number }[];
}

/** RequestMirror's share: `percent` (0–100), or `fraction` numerator/denominator (default 100); absent = 100 %. */
function mirrorPercentage(m: Rec): number {
  const percent = int(m.percent);
  if (percent !== undefined) return clampPercent(percent);
  const fraction = rec(m.fraction);
  const numerator = int(fraction?.numerator);
  if (numerator !== undefined) {
    const denominator = int(fraction?.denominator) ?? 100;
    return denominator > 0 ? clampPercent((numerator / denominator) * 100) : 0;
  }
  return 100;
}

/** `{set: [{name, value}], add: [...], remove: [name]}`. */
function headerModifier(v: unknown): L7HeaderOps | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const pairs = (x: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const item of list(x)) {
      const h = rec(item);
      const name = text(h?.name);
      const value = str(h?.value);
      if (name !== undefined && value !== undefined) out[name] = value;
    }
    return out;
  };
  return compactHeaderOps({ set: pairs(r.set), add: pairs(r.add), remove: list(r.remove).filter((x): x is string => typeof x === 'string') });
}

/** HTTPPathModifier: ReplaceFullPath → `full`, ReplacePrefixMatch → `prefix`. */
function pathModifier(v: unknown): { full?: string; prefix?: string } {
  const p = rec(v);
  if (!p) return {};
  if (p.type === 'ReplaceFullPath') {
    const full = str(p.replaceFullPath);
    return full === undefined ? {} : { full };
  }
  if (p.type === 'ReplacePrefixMatch') {
    const prefix = str(p.replacePrefixMatch);
    return prefix === undefined ? {} : { prefix };
  }
  return {};
}

function urlRewrite(v: unknown): L7Rewrite | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const out: L7Rewrite = {};
  const hostname = text(r.hostname);
  if (hostname !== undefined) out.authority = hostname;
  const path = pathModifier(r.path);
  if (path.full !== undefined) out.fullPath = path.full;
  if (path.prefix !== undefined) out.uri = path.prefix;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** RequestRedirect: status default 302; no port → the scheme's default port when the scheme changes, else the request's. */
function requestRedirect(v: unknown): L7Redirect {
  const r = rec(v) ?? {};
  const out: L7Redirect = { status: int(r.statusCode) ?? 302 };
  const scheme = text(r.scheme);
  if (scheme !== undefined) out.scheme = scheme;
  const hostname = text(r.hostname);
  if (hostname !== undefined) out.authority = hostname;
  const port = int(r.port);
  out.port = port !== undefined && port > 0 ? port : scheme !== undefined ? 'protocol-default' : 'request-port';
  const path = pathModifier(r.path);
  if (path.full !== undefined) out.uri = path.full;
  if (path.prefix !== undefined) out.prefix = path.prefix;
  return out;
}

/** Rule-level (`backendLevel: false`) or backendRef-level filters. */
export function convertFilters(v: unknown, path: string, warn: Warn, opts: { backendLevel: boolean }): ConvertedFilters {
  const out: ConvertedFilters = {};
  let request: L7HeaderOps | undefined;
  let response: L7HeaderOps | undefined;
  list(v).forEach((item, i) => {
    const f = rec(item);
    const at = `${path}[${i}]`;
    const type = str(f?.type);
    if (!f || type === undefined) {
      warn(at, 'filter without a type: ignored');
      return;
    }
    switch (type) {
      case 'RequestHeaderModifier':
        request = headerModifier(f.requestHeaderModifier);
        return;
      case 'ResponseHeaderModifier':
        response = headerModifier(f.responseHeaderModifier);
        return;
      case 'URLRewrite':
      case 'RequestRedirect':
        if (opts.backendLevel) {
          warn(at, `${type} in a backendRef filter is not supported: ignored`);
          return;
        }
        if (type === 'URLRewrite') {
          const rewrite = urlRewrite(f.urlRewrite);
          if (rewrite) out.rewrite = rewrite;
        } else out.redirect = requestRedirect(f.requestRedirect);
        return;
      case 'RequestMirror': {
        const m = rec(f.requestMirror);
        if (!m || !rec(m.backendRef)) {
          warn(at, 'RequestMirror without a backendRef: ignored');
          return;
        }
        if (opts.backendLevel) {
          warn(at, 'RequestMirror in a backendRef filter is not supported: ignored');
          return;
        }
        (out.mirrors ??= []).push({ backendRef: m.backendRef, percentage: mirrorPercentage(m) });
        return;
      }
      default:
        warn(at, `${type} filters are not supported by the waypoint: ignored`);
    }
  });
  const headers = compactHeaders(request, response);
  if (headers) out.headers = headers;
  return out;
}
