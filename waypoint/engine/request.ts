// The request as the L7 engine sees it: what matching, rewriting and redirects read. The
// proxy builds one per HTTP request; nothing here does I/O.

export interface L7Source {
  readonly ip: string;
  /** The client workload's namespace, from its verified identity. */
  readonly namespace?: string;
  /** The client's SPIFFE identity without the scheme (`cluster.local/ns/<ns>/sa/<sa>`). */
  readonly principal?: string;
}

export interface L7Request {
  readonly method: string;
  /** The request target as sent (`:path`): path and query string. */
  readonly path: string;
  /** `:authority` / Host, as sent (may carry a port). */
  readonly authority: string;
  readonly scheme: 'http' | 'https';
  /** Lowercase names; a header sent several times has its values joined with ', '. */
  readonly headers: ReadonlyMap<string, string>;
  /** The service port the client addressed. */
  readonly port: number;
  readonly source: L7Source;
}

/** Header values as Node gives them (`IncomingHttpHeaders`) or as plain strings. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A lowercase-keyed header map; repeated values are joined with ', '. */
export function headerMap(raw: RawHeaders | Iterable<readonly [string, string]>): Map<string, string> {
  const out = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const prev = out.get(key);
    out.set(key, prev === undefined ? value : `${prev}, ${value}`);
  };
  if (isIterable(raw)) {
    for (const [name, value] of raw) add(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (typeof value === 'string') add(name, value);
    else for (const v of value) add(name, v);
  }
  return out;
}

function isIterable(x: unknown): x is Iterable<readonly [string, string]> {
  return typeof x === 'object' && x !== null && Symbol.iterator in x;
}

export interface L7RequestInit {
  method?: string;
  path?: string;
  authority?: string;
  scheme?: 'http' | 'https';
  headers?: RawHeaders | Iterable<readonly [string, string]>;
  port?: number;
  source?: L7Source;
}

/** An L7Request with defaults (GET / over http on port 80 from 0.0.0.0): handy for tests and probes. */
export function l7Request(init: L7RequestInit = {}): L7Request {
  return {
    method: init.method ?? 'GET',
    path: init.path ?? '/',
    authority: init.authority ?? '',
    scheme: init.scheme ?? 'http',
    headers: headerMap(init.headers ?? {}),
    port: init.port ?? 80,
    source: init.source ?? { ip: '0.0.0.0' },
  };
}

/** A request target split at the first '?': `search` keeps the '?' (or is '' without one). */
export function splitPath(path: string): { pathname: string; search: string } {
  const q = path.indexOf('?');
  return q < 0 ? { pathname: path, search: '' } : { pathname: path.slice(0, q), search: path.slice(q) };
}

/**
 * Query parameters as Envoy's route matcher reads them: `&`-separated, split at the first
 * '=', values NOT percent-decoded, `?key` (no '=') has the empty value, and only the first
 * occurrence of a name counts.
 */
export function parseQuery(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const q = path.indexOf('?');
  if (q < 0) return out;
  for (const part of path.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!out.has(name)) out.set(name, eq < 0 ? '' : part.slice(eq + 1));
  }
  return out;
}

/** Lowercases ASCII letters only (Envoy's case-insensitive path matching is ASCII). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Splits an authority into host and port text (`[::1]:80` → `[::1]`, `80`); port '' when absent. */
export function splitAuthority(authority: string): { host: string; port: string } {
  const close = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || colon < close) return { host: authority, port: '' };
  if (close < 0 && authority.indexOf(':') !== colon) return { host: authority, port: '' }; // bare IPv6
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}
