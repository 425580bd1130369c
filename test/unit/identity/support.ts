// Shared by the identity tests: a fake clock with fake timers, a real CA (self-signed
// root in a temp dir) behind a fake fetcher that can be held or made to fail, and a
// manager wired to both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { Identity } from '../../../api/identity.js';
import { silentLogger, type Logger } from '../../../api/log.js';
import { createCertificateAuthority, loadCaMaterial, type CertificateAuthority } from '../../../controller/ca/index.js';
import { IdentityManager, type IdentityManagerOptions } from '../../../daemon/identity/identity-manager.js';
import type { Timers } from '../../../daemon/identity/scheduler.js';

export const TD = 'cluster.local';
export const HTTPBIN: Identity = { trustDomain: TD, namespace: 'default', serviceAccount: 'httpbin' };
export const SLEEP: Identity = { trustDomain: TD, namespace: 'default', serviceAccount: 'sleep' };
export const REVIEWS: Identity = { trustDomain: TD, namespace: 'bookinfo', serviceAccount: 'reviews' };

/** Let every promise chain that is ready run to its end. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Virtual time: `now` and timers that only move when the test advances them. */
export class FakeClock implements Timers {
  nowMs: number;
  private nextId = 0;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.nowMs = start;
  }

  now = (): number => this.nowMs;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.set(id, { due: this.nowMs + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, firing due timers in order and letting their work settle. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    await settle();
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const t of this.timers) if (t[1].due <= target && (!next || t[1].due < next[1].due)) next = t;
      if (!next) break;
      this.timers.delete(next[0]);
      this.nowMs = Math.max(this.nowMs, next[1].due);
      next[1].fn();
      await settle();
    }
    this.nowMs = target;
    await settle();
  }

  /** Advance to the absolute time `atMs`. */
  advanceTo(atMs: number): Promise<void> {
    return this.advance(Math.max(0, atMs - this.nowMs));
  }
}

/** A real CA with a fresh self-signed root; `now` drives the certificates' validity. */
export function testCa(now?: () => number): { ca: CertificateAuthority; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ambit-identity-'));
  const ca = createCertificateAuthority(loadCaMaterial({ stateDir: dir, trustDomain: TD }), { trustDomain: TD, now });
  return { ca, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fetcher that signs with a real CA; it can be held (requests wait) or made to fail. */
export class FakeCa {
  readonly calls: Identity[] = [];
  /** The clock's time at each request (when constructed with one). */
  readonly callTimes: number[] = [];
  ttlSeconds = 3600;
  failWith: Error | undefined;
  /** Requests for these service accounts are refused. */
  readonly refuse = new Set<string>();
  /** Transform the chain before returning it (to test validation). */
  tamper: ((chain: string[]) => string[]) | undefined;
  private held: Promise<void> | undefined;

  constructor(readonly ca: CertificateAuthority, private readonly now?: () => number) {}

  /** Requests from now on wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise((resolve) => { release = resolve; });
    const held = this.held;
    return () => {
      if (this.held === held) this.held = undefined;
      release();
    };
  }

  fetch = async (identity: Identity, csrPem: string): Promise<string[]> => {
    this.calls.push(identity);
    if (this.now) this.callTimes.push(this.now());
    if (this.held) await this.held;
    if (this.failWith) throw this.failWith;
    if (this.refuse.has(identity.serviceAccount)) throw new Error(`refused ${identity.serviceAccount}`);
    const chain = this.ca.sign(csrPem, identity, this.ttlSeconds);
    return this.tamper ? this.tamper(chain) : chain;
  };

  callsFor(id: Identity): number {
    return this.calls.filter((c) => c.serviceAccount === id.serviceAccount && c.namespace === id.namespace).length;
  }
}

export interface Setup {
  clock: FakeClock;
  fake: FakeCa;
  manager: IdentityManager;
  registry: Registry;
  cleanup: () => void;
}

/** Fake clock + real CA on that clock + a manager using both; backoff 1 s doubling to 8 s. */
export function setup(opts: Partial<IdentityManagerOptions> & { log?: Logger } = {}): Setup {
  const clock = new FakeClock();
  const { ca, cleanup } = testCa(clock.now);
  const fake = new FakeCa(ca, clock.now);
  const registry = new Registry();
  const manager = new IdentityManager({
    node: 'node-1', fetchCertificate: fake.fetch, log: silentLogger(), now: clock.now, timers: clock,
    backoff: { initialMs: 1000, maxMs: 8000 }, registry, random: () => 0.5, ...opts,
  });
  return { clock, fake, manager, registry, cleanup: () => { manager.close(); cleanup(); } };
}

/** The rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

export async function metricValue(registry: Registry, name: string, labels = ''): Promise<number | undefined> {
  const text = await registry.metrics();
  const escaped = `${name}${labels}`.replace(/[{}.*+?^$()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
