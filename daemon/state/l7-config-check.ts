// Receipt check of one service's L7 configuration (pure). It travels as JSON
// (`L7Config.json`), so the receiver parses it and checks the shape a waypoint relies on
// before it replaces the last good version: the top-level fields, and that every list is
// a list and every record an object of the expected kind. Value rules (regexes, subset
// references) are the waypoint's compile check (the updater's `checkL7` hook).
import type { ServiceL7Config } from '../../api/l7-model.js';
import type { L7Config } from '../../api/model.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringRecord = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The first problem of a list: `item` returns a reason or undefined for each element. */
function listProblem(v: unknown, where: string, item: (x: unknown, at: string) => string | undefined): string | undefined {
  if (!Array.isArray(v)) return `${where} must be a list`;
  for (const [i, x] of v.entries()) {
    const p = item(x, `${where}[${i}]`);
    if (p) return p;
  }
  return undefined;
}

function objectProblem(v: unknown, where: string, fields: Record<string, (x: unknown) => boolean>, required: readonly string[] = []): string | undefined {
  if (!isObject(v)) return `${where} must be an object`;
  for (const f of required) if (v[f] === undefined) return `${where}.${f} is required`;
  for (const [f, ok] of Object.entries(fields)) {
    if (v[f] !== undefined && !ok(v[f])) return `${where}.${f} has the wrong type`;
  }
  return undefined;
}

const optionalObject = (v: unknown): boolean => isObject(v);
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

function destinationProblem(v: unknown, where: string): string | undefined {
  return objectProblem(v, where, { host: (x) => typeof x === 'string', port: isNumber, subset: (x) => typeof x === 'string', weight: isNumber, headers: optionalObject, invalidStatus: isNumber }, ['host', 'weight']);
}

function matchesProblem(v: unknown, where: string): string | undefined {
  return listProblem(v, where, (m, at) => (isObject(m) ? undefined : `${at} must be an object`));
}

function httpRouteProblem(v: unknown, where: string): string | undefined {
  const p = objectProblem(v, where, { name: (x) => typeof x === 'string', rewrite: optionalObject, headers: optionalObject, timeoutMs: isNumber }, ['name', 'matches', 'action']);
  if (p || !isObject(v)) return p;
  const m = matchesProblem(v.matches, `${where}.matches`);
  if (m) return m;
  const action = v.action;
  if (!isObject(action)) return `${where}.action must be an object`;
  const kinds = ['route', 'redirect', 'directResponse'].filter((k) => action[k] !== undefined);
  if (kinds.length !== 1) return `${where}.action must have exactly one of route, redirect, directResponse`;
  if (action.route !== undefined) return listProblem(action.route, `${where}.action.route`, destinationProblem);
  if (action.redirect !== undefined && !isObject(action.redirect)) return `${where}.action.redirect must be an object`;
  if (action.directResponse !== undefined && !isObject(action.directResponse)) return `${where}.action.directResponse must be an object`;
  return undefined;
}

function tcpRouteProblem(v: unknown, where: string): string | undefined {
  const p = objectProblem(v, where, { name: (x) => typeof x === 'string' }, ['name', 'matches', 'route']);
  if (p || !isObject(v)) return p;
  return matchesProblem(v.matches, `${where}.matches`) ?? listProblem(v.route, `${where}.route`, destinationProblem);
}

function routesProblem(v: unknown): string | undefined {
  const p = objectProblem(v, 'routes', { origins: isStringList }, ['kind', 'http', 'tcp']);
  if (p || !isObject(v)) return p;
  if (v.kind !== 'VirtualService' && v.kind !== 'HTTPRoute') return `routes.kind ${JSON.stringify(v.kind)} is not VirtualService or HTTPRoute`;
  return listProblem(v.http, 'routes.http', httpRouteProblem) ?? listProblem(v.tcp, 'routes.tcp', tcpRouteProblem);
}

function destinationPolicyProblem(v: unknown): string | undefined {
  const p = objectProblem(v, 'destination', { origins: isStringList, trafficPolicy: optionalObject }, ['subsets']);
  if (p || !isObject(v)) return p;
  return listProblem(v.subsets, 'destination.subsets', (s, at) =>
    objectProblem(s, at, { name: (x) => typeof x === 'string', labels: isStringRecord, trafficPolicy: optionalObject }, ['name', 'labels']));
}

/** Why a parsed value is not a usable ServiceL7Config for `service`, or undefined. */
export function l7ConfigProblem(value: unknown, service: string): string | undefined {
  if (!isObject(value)) return 'L7 config must be a JSON object';
  if (value.service !== service) return `L7 config service ${JSON.stringify(value.service)} is not the resource name ${service}`;
  if (value.routes !== undefined) {
    const p = routesProblem(value.routes);
    if (p) return p;
  }
  if (value.destination !== undefined) return destinationPolicyProblem(value.destination);
  return undefined;
}

/** Parses and checks one received L7Config: the config, or why it cannot be used. */
export function parseL7Config(name: string, resource: L7Config): { config: ServiceL7Config } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(resource.json);
  } catch (err) {
    return { problem: `L7 config is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const problem = l7ConfigProblem(value, name);
  // The checks above are the shape the waypoint relies on; the rest is its compile check.
  return problem ? { problem } : { config: value as ServiceL7Config };
}
