// Istio Destination / weighted route destinations / header operations, shared by the
// VirtualService http, tcp and tls routes and mirrors (VAL validateDestination,
// validateHTTPRouteDestinations, ValidateHTTPHeader*; reference rules 71, 79).
import type { Field } from './field.js';
import { checkPortSelector } from './field-checks.js';
import { dns1123Label, wildcardDomain } from './names.js';

export interface DestinationRef {
  host: string;
  subset?: string;
  field: Field;
}

/** Validates `destination` (required when `required`); returns host/subset when well-formed. */
export function validateDestination(f: Field, required: boolean): DestinationRef | undefined {
  if (!f.present) {
    if (required) f.error('destination is required');
    return undefined;
  }
  if (!f.record()) return undefined;
  f.knownKeys(['host', 'subset', 'port']);
  const hf = f.key('host');
  const host = hf.requiredString();
  if (host !== undefined) {
    if (host === '*') hf.error(`invalid destination host ${host}`);
    else {
      const err = wildcardDomain(host);
      if (err) hf.error(err);
    }
  }
  const sf = f.key('subset');
  const subset = sf.string();
  if (subset !== undefined) {
    const err = subset === '' ? 'subset name cannot be empty' : dns1123Label(subset);
    if (err) sf.error(`subset name is invalid: ${err}`);
  }
  if (f.key('port').present) checkPortSelector(f.key('port'));
  return host === undefined ? undefined : { host, subset: subset === '' ? undefined : subset, field: f };
}

/** `route:` lists (HTTPRouteDestination or RouteDestination). Returns referenced destinations. */
export function validateRouteDestinations(f: Field, opts: { http: boolean }): DestinationRef[] {
  const refs: DestinationRef[] = [];
  const items = f.list();
  if (!items) return refs;
  let total = 0;
  let weightsOk = true;
  for (const item of items) {
    if (!item.present) {
      item.error('route destination must not be null');
      continue;
    }
    if (!item.record()) continue;
    item.knownKeys(opts.http ? ['destination', 'weight', 'headers'] : ['destination', 'weight']);
    const ref = validateDestination(item.key('destination'), true);
    if (ref) refs.push(ref);
    const wf = item.key('weight');
    const w = wf.integer();
    if (w !== undefined && w < 0) {
      wf.error(`weight ${w} < 0`);
      weightsOk = false;
    } else if (w !== undefined) total += w;
    else if (wf.present) weightsOk = false;
    if (opts.http) validateHeaderOperations(item.key('headers'));
  }
  if (items.length > 1 && total === 0 && weightsOk) f.error('total destination weight = 0');
  return refs;
}

/** Is this header name the authority (`:authority` or `host`)? */
export function isAuthorityHeader(name: string): boolean {
  const l = name.toLowerCase();
  return l === ':authority' || l === 'host';
}

function checkHeaderValue(f: Field): void {
  const v = f.string();
  if (v === undefined) return;
  const control = [...v].some((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && c !== 0x09) || c === 0x7f;
  });
  if (control) f.error('header value contains control characters');
}

/** Istio `Headers {request, response}` with set/add/remove. */
export function validateHeaderOperations(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['request', 'response']);
  for (const side of ['request', 'response'] as const) {
    const sf = f.key(side);
    if (!sf.record()) continue;
    sf.knownKeys(['set', 'add', 'remove']);
    for (const op of ['set', 'add'] as const) {
      for (const [name, vf] of sf.key(op).entries() ?? []) {
        const err = side === 'request' ? requestSetName(name) : responseName(name);
        if (err) vf.error(err);
        checkHeaderValue(vf);
      }
    }
    for (const item of sf.key('remove').strings() ?? []) {
      const err = responseName(item.value);
      if (err) item.field.error(err);
    }
  }
}

function requestSetName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if ((name.startsWith(':') || name.toLowerCase() === 'host') && !isAuthorityHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

function responseName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header "${name}": cannot set Host header`;
  if (name.startsWith(':')) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}
