// Shared pieces of the L7 translation: tolerant readers for specs that validation has
// already checked (they never throw; an odd value reads as absent), the `<Kind> ns/name`
// names warnings use, and the oldest-first order behind every "first one wins" rule.
import type { L7HeaderOps, L7Headers, L7StringMatch } from '../../../api/l7-model.js';
import type { KubeObject } from '../../config/resource.js';
import { isRecord } from '../../config/resource.js';
import { parseDurationNs } from '../../validation/duration.js';

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec | undefined {
  return isRecord(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-empty string, else undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** The string-valued entries of a mapping. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}

export function specOf(o: KubeObject): Rec {
  return rec(o.spec) ?? {};
}

export function nsOf(o: KubeObject): string {
  return o.metadata.namespace ?? 'default';
}

/** `<Kind> <ns>/<name>`: how warnings and origins name a resource. */
export function resourceId(o: KubeObject): string {
  return `${o.kind} ${nsOf(o)}/${o.metadata.name}`;
}

/** Oldest first (creationTimestamp; a missing one counts as oldest), then `ns/name`, then kind. */
export function byAge(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = `${nsOf(a)}/${a.metadata.name}`;
  const nb = `${nsOf(b)}/${b.metadata.name}`;
  if (na !== nb) return na < nb ? -1 : 1;
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** `ns/name` order (buildModel's order for Services and ServiceEntries). */
export function byName(a: KubeObject, b: KubeObject): number {
  const na = `${nsOf(a)}/${a.metadata.name}`;
  const nb = `${nsOf(b)}/${b.metadata.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Collects warnings as `<Kind> <ns>/<name>: <field path>: <message>`. */
export class Warnings {
  constructor(readonly out: string[] = []) {}

  add(id: string, path: string, message: string): void {
    this.out.push(`${id}: ${path}: ${message}`);
  }
}

/** An Istio StringMatch (`exact` / `prefix` / `regex`); undefined when no match type is set. */
export function istioStringMatch(v: unknown): L7StringMatch | undefined {
  const m = rec(v);
  if (!m) return undefined;
  if (typeof m.exact === 'string') return { exact: m.exact };
  if (typeof m.prefix === 'string') return { prefix: m.prefix };
  if (typeof m.regex === 'string') return { regex: m.regex };
  return undefined;
}

/** Drops empty parts; undefined when nothing is left. */
export function compactHeaderOps(ops: L7HeaderOps): L7HeaderOps | undefined {
  const out: L7HeaderOps = {};
  if (ops.set && Object.keys(ops.set).length > 0) out.set = ops.set;
  if (ops.add && Object.keys(ops.add).length > 0) out.add = ops.add;
  if (ops.remove && ops.remove.length > 0) out.remove = ops.remove;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function compactHeaders(request: L7HeaderOps | undefined, response: L7HeaderOps | undefined): L7Headers | undefined {
  const out: L7Headers = {};
  const req = request && compactHeaderOps(request);
  const resp = response && compactHeaderOps(response);
  if (req) out.request = req;
  if (resp) out.response = resp;
  return out.request || out.response ? out : undefined;
}

/** A duration string as whole milliseconds (rounded up); undefined when malformed. */
export function durationMs(s: string): number | undefined {
  const ns = parseDurationNs(s);
  if (ns === undefined) return undefined;
  return Number((ns + 999_999n) / 1_000_000n);
}

/** A share of requests, held within 0–100. */
export function clampPercent(n: number): number {
  return Math.min(100, Math.max(0, n));
}
