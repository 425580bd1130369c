// VirtualService delegation: a root route `{match, delegate: {name, namespace}}` is
// replaced, at its position, by the delegate VirtualService's http routes, each merged
// with the root route as istiod does (pilot model/virtualservice.go mergeHTTPRoute):
//
// - Matches are a conjunction. Every delegate entry must fit inside at least one root
//   entry; it is merged with each root entry it does not conflict with. Conflict rules
//   (istiod's hasConflict, made stricter so a merge never widens a match): for
//   uri/scheme/method/authority and each header/withoutHeader/query param typed on both
//   sides, a regex on either side conflicts; a root exact needs the same exact; a root
//   prefix needs a delegate prefix/exact starting with it. Differing ignoreUriCase,
//   ports, sourceNamespaces, sourceLabels values, or delegate gateways outside the
//   root's also conflict. A merged entry takes the delegate's condition where it is typed
//   (it implies the root's), else the root's; header/query maps are unioned. When some
//   delegate entry fits no root entry, the delegate route is dropped.
// - Other fields (rewrite, headers, timeout, ...) come from the delegate route, else
//   from the root route.
import type { Rec } from './common.js';
import { int, istioStringMatch, list, rec, text } from './common.js';

const SCALAR_MATCHES = ['uri', 'scheme', 'method', 'authority'] as const;
const MAP_MATCHES = ['headers', 'withoutHeaders', 'queryParams'] as const;
const INHERITED = ['timeout', 'retries', 'fault', 'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'corsPolicy', 'headers'] as const;

/** The delegate condition must lie within the root's; an untyped (presence-only) delegate condition never conflicts. */
function stringMatchConflict(root: unknown, leaf: unknown): boolean {
  const r = istioStringMatch(root);
  const l = istioStringMatch(leaf);
  if (!r || !l) return false;
  if ('regex' in r || 'regex' in l) return true;
  if ('exact' in r) return !('exact' in l) || l.exact !== r.exact;
  const inside = 'exact' in l ? l.exact : l.prefix;
  return !inside.startsWith(r.prefix);
}

/** The stronger of two non-conflicting conditions: the delegate's when it has a match type. */
function stronger(root: unknown, leaf: unknown): unknown {
  return istioStringMatch(leaf) !== undefined || root === undefined ? leaf : root;
}

function gatewaysOf(m: Rec): string[] {
  return list(m.gateways).filter((g): g is string => typeof g === 'string');
}

/** Does the delegate entry `leaf` conflict with the root entry `root`? */
export function matchConflict(root: Rec, leaf: Rec): boolean {
  for (const k of SCALAR_MATCHES) if (stringMatchConflict(root[k], leaf[k])) return true;
  for (const k of MAP_MATCHES) {
    const rm = rec(root[k]) ?? {};
    for (const [name, v] of Object.entries(rec(leaf[k]) ?? {})) if (stringMatchConflict(rm[name], v)) return true;
  }
  if ((root.ignoreUriCase === true) !== (leaf.ignoreUriCase === true)) return true;
  const [rp, lp] = [int(root.port) ?? 0, int(leaf.port) ?? 0];
  if (rp > 0 && lp > 0 && rp !== lp) return true;
  const [rn, ln] = [text(root.sourceNamespace), text(leaf.sourceNamespace)];
  if (rn !== undefined && ln !== undefined && rn !== ln) return true;
  const rootLabels = rec(root.sourceLabels) ?? {};
  for (const [k, v] of Object.entries(rec(leaf.sourceLabels) ?? {})) if (k in rootLabels && rootLabels[k] !== v) return true;
  const rg = gatewaysOf(root);
  if (rg.length > 0 && gatewaysOf(leaf).some((g) => !rg.includes(g))) return true;
  return false;
}

function joinNames(root: unknown, leaf: unknown): string | undefined {
  const [r, l] = [text(root), text(leaf)];
  return r !== undefined && l !== undefined ? `${r}--${l}` : (l ?? r);
}

export function mergeMatch(root: Rec, leaf: Rec): Rec {
  const out: Rec = { ...leaf };
  const name = joinNames(root.name, leaf.name);
  if (name !== undefined) out.name = name;
  for (const k of SCALAR_MATCHES) {
    const v = stronger(root[k], leaf[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const k of MAP_MATCHES) {
    const rm = rec(root[k]) ?? {};
    const merged: Rec = { ...rm };
    for (const [name, v] of Object.entries(rec(leaf[k]) ?? {})) merged[name] = stronger(rm[name], v);
    if (Object.keys(merged).length > 0) out[k] = merged;
  }
  if ((int(leaf.port) ?? 0) === 0 && root.port !== undefined) out.port = root.port;
  if (Object.keys(rec(leaf.sourceLabels) ?? {}).length === 0 && root.sourceLabels !== undefined) out.sourceLabels = root.sourceLabels;
  if (text(leaf.sourceNamespace) === undefined && root.sourceNamespace !== undefined) out.sourceNamespace = root.sourceNamespace;
  if (gatewaysOf(leaf).length === 0 && root.gateways !== undefined) out.gateways = root.gateways;
  return out;
}

/** The merged match list; undefined when some delegate entry fits no root entry. */
export function mergeMatches(root: Rec[], leaf: Rec[]): Rec[] | undefined {
  if (root.length === 0) return leaf;
  if (leaf.length === 0) return root;
  const out: Rec[] = [];
  for (const l of leaf) {
    const fits = root.filter((r) => !matchConflict(r, l));
    if (fits.length === 0) return undefined;
    for (const r of fits) out.push(mergeMatch(r, l));
  }
  return out;
}

function records(v: unknown): Rec[] {
  return list(v).map(rec).filter((x): x is Rec => x !== undefined);
}

/** The delegate route merged with its root route; undefined when their matches conflict. */
export function mergeDelegateRoute(root: Rec, leaf: Rec): Rec | undefined {
  const match = mergeMatches(records(root.match), records(leaf.match));
  if (!match) return undefined;
  const out: Rec = { ...leaf, match };
  delete out.name;
  const name = joinNames(root.name, leaf.name);
  if (name !== undefined) out.name = name;
  for (const k of INHERITED) if (out[k] === undefined && root[k] !== undefined) out[k] = root[k];
  const hasAction = list(leaf.route).length > 0 || rec(leaf.redirect) !== undefined || rec(leaf.directResponse) !== undefined;
  const redirects = rec(leaf.redirect) !== undefined || rec(leaf.directResponse) !== undefined;
  if (out.rewrite === undefined && !redirects && root.rewrite !== undefined) out.rewrite = root.rewrite;
  if (!hasAction && root.directResponse !== undefined) out.directResponse = root.directResponse;
  return out;
}
