// A cursor over untyped (YAML/JSON) input: the value at one field path plus the collector
// findings go to. Typed accessors report a type mismatch once and return undefined, so
// validators read fields without casts and every finding names its exact path.
import type { FindingCollector } from './finding.js';
import { isRecord } from '../config/resource.js';

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export interface StringItem {
  field: Field;
  value: string;
}

export class Field {
  constructor(
    readonly value: unknown,
    readonly path: string,
    readonly out: FindingCollector,
  ) {}

  /** Present = neither absent nor YAML null (null means "unset" for Kubernetes objects). */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** Child field of a mapping (undefined value when this is not a mapping). */
  key(name: string): Field {
    const v = isRecord(this.value) ? this.value[name] : undefined;
    return new Field(v, joinPath(this.path, name), this.out);
  }

  error(message: string): void {
    this.out.error(this.path, message);
  }

  warn(message: string): void {
    this.out.warn(this.path, message);
  }

  /** The mapping, or undefined (reports "must be a mapping" when present with another type). */
  record(): Record<string, unknown> | undefined {
    if (!this.present) return undefined;
    if (isRecord(this.value)) return this.value;
    this.error(`must be a mapping, got ${describe(this.value)}`);
    return undefined;
  }

  /** List items as fields, or undefined (reports "must be a list"). */
  list(): Field[] | undefined {
    if (!this.present) return undefined;
    if (!Array.isArray(this.value)) {
      this.error(`must be a list, got ${describe(this.value)}`);
      return undefined;
    }
    return (this.value as unknown[]).map((v, i) => new Field(v, `${this.path}[${i}]`, this.out));
  }

  /** Mapping entries as fields with paths `path[key]`. */
  entries(): [string, Field][] | undefined {
    const rec = this.record();
    if (!rec) return undefined;
    return Object.entries(rec).map(([k, v]) => [k, new Field(v, `${this.path}[${k}]`, this.out)]);
  }

  string(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'string') return this.value;
    this.error(`must be a string, got ${describe(this.value)}`);
    return undefined;
  }

  /** A string that, when present, must not be empty. */
  nonEmptyString(): string | undefined {
    const s = this.string();
    if (s === '') {
      this.error('must not be empty');
      return undefined;
    }
    return s;
  }

  /** A required non-empty string. */
  requiredString(): string | undefined {
    if (!this.present) {
      this.error('is required');
      return undefined;
    }
    return this.nonEmptyString();
  }

  number(): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'number' && Number.isFinite(this.value)) return this.value;
    this.error(`must be a number, got ${describe(this.value)}`);
    return undefined;
  }

  integer(): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'number' && Number.isInteger(this.value)) return this.value;
    this.error(`must be an integer, got ${describe(this.value)}`);
    return undefined;
  }

  /** An integer >= min (and <= max when given). */
  intInRange(min: number, max?: number): number | undefined {
    const n = this.integer();
    if (n === undefined) return undefined;
    if (n < min || (max !== undefined && n > max)) {
      this.error(max === undefined ? `must be >= ${min}, got ${n}` : `must be in range ${min}..${max}, got ${n}`);
      return undefined;
    }
    return n;
  }

  boolean(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'boolean') return this.value;
    this.error(`must be a boolean, got ${describe(this.value)}`);
    return undefined;
  }

  /** One of the listed string values. */
  oneOf<T extends string>(allowed: readonly T[]): T | undefined {
    const s = this.string();
    if (s === undefined) return undefined;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.error(`must be one of ${allowed.join(', ')}, got "${s}"`);
    return undefined;
  }

  /** List of strings; non-string items are reported. `nonEmpty` also reports "" items. */
  strings(opts: { nonEmpty?: boolean } = {}): StringItem[] | undefined {
    const items = this.list();
    if (!items) return undefined;
    const out: StringItem[] = [];
    for (const f of items) {
      const s = f.string();
      if (s === undefined) continue;
      if (opts.nonEmpty && s === '') {
        f.error('empty value not allowed');
        continue;
      }
      out.push({ field: f, value: s });
    }
    return out;
  }

  /** A mapping whose values must all be strings (labels, selectors, header maps). */
  stringMap(): [string, StringItem][] | undefined {
    const entries = this.entries();
    if (!entries) return undefined;
    const out: [string, StringItem][] = [];
    for (const [k, f] of entries) {
      const s = f.string();
      if (s !== undefined) out.push([k, { field: f, value: s }]);
    }
    return out;
  }

  /** Warns about keys outside `known` (typos are otherwise silently ignored). */
  knownKeys(known: readonly string[]): void {
    if (!isRecord(this.value)) return;
    for (const k of Object.keys(this.value)) {
      if (!known.includes(k)) this.out.warn(joinPath(this.path, k), 'unknown field; it is ignored');
    }
  }

  /** Absent, null or `[]` (a value of another type is not "empty": it gets a type error instead). */
  get emptyList(): boolean {
    return !this.present || (Array.isArray(this.value) && this.value.length === 0);
  }

  /** Number of list items / mapping keys; 0 when absent or of another type. */
  get size(): number {
    if (Array.isArray(this.value)) return this.value.length;
    if (isRecord(this.value)) return Object.keys(this.value).length;
    return 0;
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string "${v}"`;
  return `${typeof v} ${JSON.stringify(v) ?? ''}`;
}
