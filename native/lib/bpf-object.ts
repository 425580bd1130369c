// A loaded BPF object (libbpf bpf_object): its programs and maps by name, with map
// operations on byte buffers. Knows nothing about what the maps mean (redirect.ts does).
import { AmbitError } from '../../api/errors.js';
import type { NativeBinding, NativeMapInfo, NativeProgramInfo } from './binding.js';
import { check, NativeError } from './errors.js';

/** Map update flags (uapi BPF_ANY / BPF_NOEXIST / BPF_EXIST). */
export const MapUpdate = { any: 0, noExist: 1, exist: 2 } as const;
export type MapUpdateFlag = (typeof MapUpdate)[keyof typeof MapUpdate];

const ENOENT = 2;

export class BpfProgram {
  constructor(
    readonly name: string,
    /** The program fd; valid until the object is closed (attachments keep the program alive). */
    readonly fd: number,
    readonly type: number,
  ) {}
}

export class BpfMap {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  private readonly fd: number;

  constructor(private readonly native: NativeBinding, info: NativeMapInfo, private readonly owner: BpfObject) {
    this.name = info.name;
    this.fd = info.fd;
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
  }

  update(key: Uint8Array, value: Uint8Array, flag: MapUpdateFlag = MapUpdate.any): void {
    this.checkKey(key);
    // The kernel copies valueSize bytes from the buffer: never hand it a shorter one.
    if (value.byteLength !== this.valueSize) throw new RangeError(`map ${this.name}: value of ${value.byteLength} bytes, expected ${this.valueSize}`);
    this.owner.assertOpen();
    check(this.native.mapUpdate(this.fd, key, value, flag), 'AMBIT_ERR_BPF_MAP', () => `update of map ${this.name}`);
  }

  /** The value, or undefined when the key is absent. `valueBytes` for per-CPU maps. */
  lookup(key: Uint8Array, valueBytes = this.valueSize): Buffer | undefined {
    this.checkKey(key);
    if (valueBytes < this.valueSize) throw new RangeError(`map ${this.name}: value buffer of ${valueBytes} bytes, expected at least ${this.valueSize}`);
    this.owner.assertOpen();
    const out = Buffer.alloc(valueBytes);
    const rc = this.native.mapLookup(this.fd, key, out);
    if (rc === -ENOENT) return undefined;
    check(rc, 'AMBIT_ERR_BPF_MAP', () => `lookup in map ${this.name}`);
    return out;
  }

  /** True when the key was present. */
  delete(key: Uint8Array): boolean {
    this.checkKey(key);
    this.owner.assertOpen();
    const rc = this.native.mapDelete(this.fd, key);
    if (rc === -ENOENT) return false;
    check(rc, 'AMBIT_ERR_BPF_MAP', () => `delete from map ${this.name}`);
    return true;
  }

  /** Every key currently in the map (a snapshot; concurrent changes may be missed). */
  keys(): Buffer[] {
    this.owner.assertOpen();
    const keys: Buffer[] = [];
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      const rc = this.native.mapNextKey(this.fd, prev, next);
      if (rc === -ENOENT) return keys;
      check(rc, 'AMBIT_ERR_BPF_MAP', () => `iteration of map ${this.name}`);
      keys.push(next);
      prev = next;
    }
  }

  private checkKey(key: Uint8Array): void {
    if (key.byteLength !== this.keySize) throw new RangeError(`map ${this.name}: key of ${key.byteLength} bytes, expected ${this.keySize}`);
  }
}

export class BpfObject {
  private readonly programs = new Map<string, BpfProgram>();
  private readonly maps = new Map<string, BpfMap>();
  private handle: number | undefined;

  /** Opens and loads (verifies) an object file; throws AMBIT_ERR_BPF_LOAD with libbpf's log. */
  static load(native: NativeBinding, objectPath: string): BpfObject {
    const res = native.openObject(objectPath);
    if (res.error < 0 || res.handle === undefined) {
      throw new NativeError('AMBIT_ERR_BPF_LOAD', `loading BPF object ${objectPath}`, res.error < 0 ? res.error : -22, res.log.trim() || undefined);
    }
    return new BpfObject(native, objectPath, res.handle, res.programs ?? [], res.maps ?? []);
  }

  private constructor(
    private readonly native: NativeBinding,
    readonly path: string,
    handle: number,
    programs: NativeProgramInfo[],
    maps: NativeMapInfo[],
  ) {
    this.handle = handle;
    for (const p of programs) this.programs.set(p.name, new BpfProgram(p.name, p.fd, p.type));
    for (const m of maps) this.maps.set(m.name, new BpfMap(native, m, this));
  }

  program(name: string): BpfProgram {
    const p = this.programs.get(name);
    if (!p) throw new AmbitError('AMBIT_ERR_BPF_LOAD', `BPF object ${this.path} has no program ${name} (has: ${[...this.programs.keys()].join(', ')})`);
    return p;
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (!m) throw new AmbitError('AMBIT_ERR_BPF_LOAD', `BPF object ${this.path} has no map ${name} (has: ${[...this.maps.keys()].join(', ')})`);
    return m;
  }

  get closed(): boolean {
    return this.handle === undefined;
  }

  assertOpen(): void {
    if (this.handle === undefined) throw new AmbitError('AMBIT_ERR_BPF_MAP', `BPF object ${this.path} is closed`);
  }

  /**
   * Releases the object's program and map fds. Programs still attached (tcx link or tc
   * filter) stay loaded with their maps until detached. Idempotent.
   */
  close(): void {
    if (this.handle === undefined) return;
    const handle = this.handle;
    this.handle = undefined;
    this.native.closeObject(handle);
  }
}
