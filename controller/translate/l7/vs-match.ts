// VirtualService match entries → L7 matches (reference rules 59-66). `sourceLabels` and
// `gateways` are selectors of the client proxy, not request conditions: on a waypoint an
// entry with `sourceLabels` never matches (rule 66), and an entry listing gateways applies
// only when `mesh` is among them. Such entries are dropped, never widened.
import type { L7HeaderMatch, L7HttpMatch, L7QueryMatch, L7StringMatch, L7TcpMatch } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { int, istioStringMatch, list, rec, str, text } from './common.js';

export const MESH_GATEWAY = 'mesh';

/** Keys of the `headers` map that Istio ignores (rule 62). */
const IGNORED_HEADER_KEYS = new Set(['uri', 'scheme', 'method', 'authority']);
const JWT_CLAIM_PREFIX = '@request.auth.claims';

export interface MatchNote { path: string; message: string }
export type MatchResult = { match: L7HttpMatch; notes: MatchNote[] } | { dropped: string };

/** Why an entry does not apply on a waypoint (sourceLabels, gateways without mesh), or undefined. */
export function selectorDrop(m: Rec): string | undefined {
  if (Object.keys(rec(m.sourceLabels) ?? {}).length > 0) {
    return 'uses sourceLabels, which waypoints do not support: the entry never matches and is dropped';
  }
  const gateways = list(m.gateways).filter((g): g is string => typeof g === 'string');
  if (gateways.length > 0 && !gateways.includes(MESH_GATEWAY)) {
    return `applies only to gateways ${gateways.join(', ')}, not to the mesh: the entry is dropped`;
  }
  return undefined;
}

/** A header StringMatch: `{}`, an empty prefix and regex `*` mean "present" (RT canBeConvertedToPresentMatch). */
function headerCondition(v: unknown): L7StringMatch | undefined {
  const m = istioStringMatch(v);
  if (!m) return undefined;
  if ('prefix' in m && m.prefix === '') return undefined;
  if ('regex' in m && m.regex === '*') return undefined;
  return m;
}

function headerMatches(v: unknown, invert: boolean, notes: MatchNote[], field: string): L7HeaderMatch[] | { dropped: string } {
  const out: L7HeaderMatch[] = [];
  for (const [rawName, value] of Object.entries(rec(v) ?? {})) {
    if (rawName.startsWith(JWT_CLAIM_PREFIX)) return { dropped: `${field}: JWT claim routing (${rawName}) is only for gateways: the entry is dropped` };
    const name = rawName.toLowerCase();
    if (!invert && IGNORED_HEADER_KEYS.has(name)) {
      notes.push({ path: `${field}.${rawName}`, message: `the key "${rawName}" is ignored in the headers map` });
      continue;
    }
    const match = headerCondition(value);
    const h: L7HeaderMatch = { name };
    if (match) h.match = match;
    if (invert) h.invert = true;
    out.push(h);
  }
  return out;
}

/** One `http[].match[]` entry. */
export function convertHttpMatch(m: Rec): MatchResult {
  const drop = selectorDrop(m);
  if (drop) return { dropped: drop };
  const notes: MatchNote[] = [];
  const out: L7HttpMatch = {};
  const name = text(m.name);
  if (name) out.name = name;
  const uri = istioStringMatch(m.uri);
  if (uri) out.path = uri;
  if (m.ignoreUriCase === true) out.ignorePathCase = true;
  for (const k of ['method', 'authority', 'scheme'] as const) {
    const sm = istioStringMatch(m[k]);
    if (sm) out[k] = sm;
  }
  const headers = headerMatches(m.headers, false, notes, 'headers');
  if (!Array.isArray(headers)) return headers;
  const without = headerMatches(m.withoutHeaders, true, notes, 'withoutHeaders');
  if (!Array.isArray(without)) return without;
  if (headers.length + without.length > 0) out.headers = [...headers, ...without];
  const query: L7QueryMatch[] = [];
  for (const [qname, value] of Object.entries(rec(m.queryParams) ?? {})) {
    const match = istioStringMatch(value);
    query.push(match ? { name: qname, match } : { name: qname });
  }
  if (query.length > 0) out.queryParams = query;
  const port = int(m.port);
  if (port !== undefined && port > 0) out.port = port;
  const sourceNamespace = text(m.sourceNamespace);
  if (sourceNamespace) out.sourceNamespace = sourceNamespace;
  return { match: out, notes };
}

/** One `tcp[].match[]` entry. `sourceSubnet` has no L7 equivalent: the entry is dropped rather than widened. */
export function convertTcpMatch(m: Rec): { match: L7TcpMatch } | { dropped: string } {
  const drop = selectorDrop(m);
  if (drop) return { dropped: drop };
  if (text(m.sourceSubnet)) return { dropped: 'sourceSubnet is not supported on waypoints: the entry is dropped' };
  const out: L7TcpMatch = {};
  const port = int(m.port);
  if (port !== undefined && port > 0) out.port = port;
  const subnets = list(m.destinationSubnets).filter((s): s is string => typeof s === 'string');
  if (subnets.length > 0) out.destinationSubnets = subnets;
  const sourceNamespace = str(m.sourceNamespace);
  if (sourceNamespace) out.sourceNamespace = sourceNamespace;
  return { match: out };
}
