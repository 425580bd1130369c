// The actions of a VirtualService route → L7 (reference rules 67-73, 79): weighted
// destinations, header operations, rewrite, redirect and direct response.
import type { L7Destination, L7DirectResponse, L7HeaderOps, L7Headers, L7Redirect, L7Rewrite } from '../../../api/l7-model.js';
import { resolveHost } from '../../validation/host-names.js';
import { compactHeaderOps, compactHeaders, int, list, rec, str, stringMap, text } from './common.js';

/** Reports a problem at a field path (relative to the resource). */
export type Warn = (path: string, message: string) => void;

function headerOps(v: unknown): L7HeaderOps | undefined {
  const r = rec(v);
  if (!r) return undefined;
  return compactHeaderOps({
    set: stringMap(r.set),
    add: stringMap(r.add),
    remove: list(r.remove).filter((x): x is string => typeof x === 'string'),
  });
}

/** Istio `Headers {request, response}` with set/add/remove (rule 79). */
export function istioHeaders(v: unknown): L7Headers | undefined {
  const h = rec(v);
  if (!h) return undefined;
  return compactHeaders(headerOps(h.request), headerOps(h.response));
}

/**
 * `route:` destinations. Hosts resolve against `namespace` (rule 54). Weights are relative
 * (rule 71): a single destination always gets everything (weight 100); with several, an
 * unset weight counts as 0.
 */
export function routeDestinations(v: unknown, namespace: string, path: string, warn: Warn, opts: { http: boolean }): L7Destination[] {
  const items = list(v);
  const out: L7Destination[] = [];
  items.forEach((item, i) => {
    const r = rec(item);
    const dest = rec(r?.destination);
    const host = text(dest?.host);
    if (!r || !dest || host === undefined) {
      warn(`${path}[${i}].destination`, 'destination without a host: skipped');
      return;
    }
    const weight = items.length === 1 ? 100 : Math.max(0, int(r.weight) ?? 0);
    const d: L7Destination = { host: resolveHost(host, namespace), weight };
    const port = int(rec(dest.port)?.number);
    if (port !== undefined && port > 0) d.port = port;
    const subset = text(dest.subset);
    if (subset !== undefined) d.subset = subset;
    if (opts.http) {
      const headers = istioHeaders(r.headers);
      if (headers) d.headers = headers;
    }
    out.push(d);
  });
  return out;
}

/** `rewrite` (rules 67, 68); undefined when it sets nothing. */
export function istioRewrite(v: unknown): L7Rewrite | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const out: L7Rewrite = {};
  const uri = text(r.uri);
  if (uri !== undefined) out.uri = uri;
  const rr = rec(r.uriRegexRewrite);
  const pattern = text(rr?.match);
  const substitution = str(rr?.rewrite);
  if (pattern !== undefined && substitution !== undefined) out.uriRegex = { pattern, substitution };
  const authority = text(r.authority);
  if (authority !== undefined) out.authority = authority;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `redirect` (rule 69): default status 301; `prefixRewrite` replaces the matched prefix. */
export function istioRedirect(v: unknown): L7Redirect {
  const r = rec(v) ?? {};
  const code = int(r.redirectCode);
  const out: L7Redirect = { status: code !== undefined && code > 0 ? code : 301 };
  const uri = text(r.uri);
  if (uri !== undefined) out.uri = uri;
  const prefix = str(r.prefixRewrite);
  if (prefix !== undefined && uri === undefined) out.prefix = prefix;
  const authority = text(r.authority);
  if (authority !== undefined) out.authority = authority;
  const scheme = text(r.scheme);
  if (scheme !== undefined) out.scheme = scheme;
  const port = int(r.port);
  if (port !== undefined && port > 0) out.port = port;
  else if (r.derivePort === 'FROM_PROTOCOL_DEFAULT') out.port = 'protocol-default';
  else if (r.derivePort === 'FROM_REQUEST_PORT') out.port = 'request-port';
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `directResponse` (rule 70): status and a body from `body.string` or base64 `body.bytes`. */
export function istioDirectResponse(v: unknown, path: string, warn: Warn): L7DirectResponse {
  const r = rec(v) ?? {};
  const out: L7DirectResponse = { status: int(r.status) ?? 200 };
  const body = rec(r.body);
  const s = str(body?.string);
  const b64 = str(body?.bytes);
  if (s !== undefined) out.body = s;
  else if (b64 !== undefined) {
    const bytes = Buffer.from(b64, 'base64');
    try {
      out.body = UTF8.decode(bytes);
    } catch {
      out.body = bytes.toString('utf8');
      warn(`${path}.body.bytes`, 'the body is not valid UTF-8; invalid byte sequences are replaced');
    }
  }
  return out;
}
