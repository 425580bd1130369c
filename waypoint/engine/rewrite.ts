// Path and authority rewrites of a routed request (rules 67, 68). Which part of the path
// is replaced depends on how the route matched it, so the functions take the selection's
// prefix information (see match.ts).
import type { L7Rewrite } from '../../api/l7-model.js';
import type { Re2Substitution } from '../../api/re2.js';
import { captureGroupCount, compileRe2Unanchored, parseRe2Substitution, re2ReplaceAll } from '../../api/re2.js';
import { splitPath } from './request.js';

/** How the path of the selected match entry matched, as far as rewrites care. */
export interface PathSelection {
  /**
   * The prefix the request path matched (prefix and pathPrefix matches; an entry without a
   * path condition counts as prefix '/' for VirtualServices and pathPrefix '/' for
   * HTTPRoutes, as in Envoy). Absent for exact and regex matches.
   */
  readonly matchedPrefix?: string;
  /** The prefix is a segment-aware pathPrefix (Gateway API), its trailing '/' trimmed. */
  readonly segmentPrefix?: boolean;
}

export interface CompiledRewrite {
  readonly uri?: string;
  readonly fullPath?: string;
  readonly uriRegex?: { readonly pattern: RegExp; readonly substitution: Re2Substitution };
  readonly authority?: string;
}

/** Compiles a rewrite; throws an Error naming the field when it is malformed. */
export function compileRewrite(rewrite: L7Rewrite): CompiledRewrite {
  const set = (['uri', 'fullPath', 'uriRegex'] as const).filter((k) => rewrite[k] !== undefined);
  if (set.length > 1) throw new Error(`rewrite: ${set.join(' and ')} are mutually exclusive`);
  for (const k of ['uri', 'fullPath', 'authority'] as const) {
    const v: unknown = rewrite[k];
    if (v !== undefined && typeof v !== 'string') throw new Error(`rewrite.${k}: must be a string`);
  }
  const out: { -readonly [K in keyof CompiledRewrite]: CompiledRewrite[K] } = {};
  if (rewrite.uri !== undefined) out.uri = rewrite.uri;
  if (rewrite.fullPath !== undefined) out.fullPath = rewrite.fullPath;
  if (rewrite.authority !== undefined) out.authority = rewrite.authority;
  const rx = rewrite.uriRegex;
  if (rx !== undefined) {
    if (typeof rx !== 'object' || rx === null || typeof rx.pattern !== 'string' || typeof rx.substitution !== 'string') {
      throw new Error('rewrite.uriRegex: needs a pattern and a substitution string');
    }
    let pattern: RegExp;
    try {
      pattern = compileRe2Unanchored(rx.pattern, { global: true });
    } catch (e) {
      throw new Error(`rewrite.uriRegex.pattern: ${e instanceof Error ? e.message : String(e)}`);
    }
    const substitution = parseRe2Substitution(rx.substitution, captureGroupCount(pattern));
    if ('error' in substitution) throw new Error(`rewrite.uriRegex.substitution: ${substitution.error}`);
    out.uriRegex = { pattern, substitution };
  }
  return out;
}

/**
 * The path (with query) the upstream receives (rule 67). `fullPath` replaces the whole
 * path; `uriRegex` replaces every match in the path; `uri` replaces the matched prefix
 * (prefix matches) or the whole path (exact and regex matches). The query string is
 * always kept.
 */
export function rewritePath(rewrite: CompiledRewrite | undefined, selection: PathSelection, path: string): string {
  if (rewrite === undefined) return path;
  const { pathname, search } = splitPath(path);
  if (rewrite.fullPath !== undefined) return rewrite.fullPath + search;
  if (rewrite.uriRegex !== undefined) {
    rewrite.uriRegex.pattern.lastIndex = 0;
    return re2ReplaceAll(rewrite.uriRegex.pattern, pathname, rewrite.uriRegex.substitution) + search;
  }
  if (rewrite.uri !== undefined) return replacePathPrefix(rewrite.uri, selection, path);
  return path;
}

/**
 * `replacement` in place of what the path matched: the matched prefix for prefix matches
 * (VirtualService: plain string replacement, `/one` → `/ip` turns `/onex` into `/ipx`;
 * Gateway API pathPrefix: segment-wise, one '/' between replacement and rest), else the
 * whole path. The query string is kept.
 */
export function replacePathPrefix(replacement: string, selection: PathSelection, path: string): string {
  const { pathname, search } = splitPath(path);
  const prefix = selection.matchedPrefix;
  if (prefix === undefined) return replacement + search;
  if (selection.segmentPrefix === true) {
    const rest = pathname.slice(prefix.length); // '', '/' or '/more'
    const joined = replacement.replace(/\/+$/, '') + rest;
    return (joined === '' ? '/' : joined) + search;
  }
  return replacement + path.slice(prefix.length);
}

/** The authority the upstream receives (rule 68): the rewrite's, else the request's. */
export function rewriteAuthority(rewrite: CompiledRewrite | undefined, authority: string): string {
  return rewrite?.authority ?? authority;
}
