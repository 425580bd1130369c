// Header operations of a route or a destination (rule 79): `set` overwrites, `add`
// appends (giving a comma list), `remove` drops. As in Envoy, removals are applied first,
// then `set`, then `add`. `:authority` or `host` under request `set` rewrites the
// authority instead of adding a header; other pseudo-headers (and `host` under `add` or
// `remove`) are not headers to edit and are skipped.
import type { L7HeaderOps } from '../../api/l7-model.js';

export interface HeaderOpsResult {
  /** The new authority, when `set` named `:authority` or `host`. */
  authority?: string;
}

/** Applies `ops` to `headers` (lowercase names, mutated in place). */
export function applyHeaderOps(headers: Map<string, string>, ops: L7HeaderOps | undefined): HeaderOpsResult {
  const result: HeaderOpsResult = {};
  if (ops === undefined) return result;
  for (const raw of ops.remove ?? []) {
    const name = raw.toLowerCase();
    if (!isEditable(name)) continue;
    headers.delete(name);
  }
  for (const [raw, value] of Object.entries(ops.set ?? {})) {
    const name = raw.toLowerCase();
    if (name === ':authority' || name === 'host') {
      result.authority = value;
      continue;
    }
    if (!isEditable(name)) continue;
    headers.set(name, value);
  }
  for (const [raw, value] of Object.entries(ops.add ?? {})) {
    const name = raw.toLowerCase();
    if (!isEditable(name)) continue;
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return result;
}

function isEditable(name: string): boolean {
  return name !== '' && !name.startsWith(':') && name !== 'host';
}

/** Throws an Error naming the field when `ops` is not a well-formed L7HeaderOps. */
export function checkHeaderOps(ops: unknown, field: string): void {
  if (ops === undefined) return;
  if (!isRecord(ops)) throw new Error(`${field}: must be an object`);
  for (const k of ['set', 'add'] as const) {
    const m = ops[k];
    if (m === undefined) continue;
    if (!isRecord(m)) throw new Error(`${field}.${k}: must be a map of header name to value`);
    for (const [name, value] of Object.entries(m)) {
      if (name === '') throw new Error(`${field}.${k}: empty header name`);
      if (typeof value !== 'string') throw new Error(`${field}.${k}.${name}: value must be a string`);
    }
  }
  const remove = ops.remove;
  if (remove !== undefined && (!Array.isArray(remove) || !remove.every((n) => typeof n === 'string' && n !== ''))) {
    throw new Error(`${field}.remove: must be a list of header names`);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
