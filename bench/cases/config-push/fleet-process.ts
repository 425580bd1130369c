// The controller side of the daemon-fleet child: starts it, connects its daemons to the
// controller, arms a watch for one change, and converts the child's arrival times onto
// this process's performance.now() clock (offset from the best of several ping/pongs).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetNode, FromFleet, ToFleet } from './fleet-messages.js';

export interface FleetProcess {
  /** Child clock minus parent clock, ms, and the round trip it was measured with. */
  clock: { offsetMs: number; rttMs: number };
  connect(address: string, rootPem: string, nodes: FleetNode[], channelOptions: Record<string, string | number>): Promise<{ ms: number; heapUsed: number }>;
  /** Resolves once armed; `arrived` then resolves with each node's arrival time (parent clock). */
  watch(uid: string, label: string, value: string, timeoutMs: number): Promise<{ arrived: Promise<Map<string, number>> }>;
  measureClock(): Promise<void>;
  stop(): Promise<void>;
}

export function startFleetProcess(): FleetProcess {
  const script = fileURLToPath(new URL('./daemon-fleet.js', import.meta.url));
  const child: ChildProcess = fork(script, [], { execArgv: ['--expose-gc', '--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = new Set<(m: FromFleet) => boolean>();
  let exited: Error | undefined;
  child.on('message', (m: FromFleet) => {
    if (m.type === 'error') exited ??= new Error(`daemon fleet: ${m.error}`);
    for (const w of [...waiters]) if (w(m)) waiters.delete(w);
  });
  child.on('exit', (code, signal) => {
    exited ??= new Error(`daemon fleet exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
    for (const w of [...waiters]) w({ type: 'error', error: exited.message });
    waiters.clear();
  });
  const send = (m: ToFleet): void => { child.send(m); };
  const next = <T extends FromFleet['type']>(type: T, timeoutMs: number, accept: (m: Extract<FromFleet, { type: T }>) => boolean = () => true): Promise<Extract<FromFleet, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`daemon fleet: no ${type} within ${timeoutMs} ms`)); }, timeoutMs);
      const w = (m: FromFleet): boolean => {
        if (m.type === 'error') { clearTimeout(timer); reject(new Error(m.error)); return true; }
        if (m.type !== type || !accept(m as Extract<FromFleet, { type: T }>)) return false;
        clearTimeout(timer);
        resolve(m as Extract<FromFleet, { type: T }>);
        return true;
      };
      waiters.add(w);
    });

  const fleet: FleetProcess = {
    clock: { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY },
    async measureClock() {
      let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
      for (let id = 0; id < 30; id++) {
        const sent = performance.now();
        const reply = next('pong', 5000, (m) => m.id === id);
        send({ type: 'ping', id });
        const { now } = await reply;
        const received = performance.now();
        if (received - sent < best.rttMs) best = { offsetMs: now - (sent + received) / 2, rttMs: received - sent };
      }
      fleet.clock = best;
    },
    async connect(address, rootPem, nodes, channelOptions) {
      const synced = next('synced', 30 * 60_000);
      send({ type: 'connect', address, rootPem, nodes, batch: 5, channelOptions });
      const m = await synced;
      return { ms: m.ms, heapUsed: m.heapUsed };
    },
    async watch(uid, label, value, timeoutMs) {
      const armed = next('watching', 10_000);
      send({ type: 'watch', uid, label, value });
      await armed;
      const arrived = next('arrived', timeoutMs).then((m) => {
        const out = new Map<string, number>();
        for (const [node, t] of Object.entries(m.times)) out.set(node, t - fleet.clock.offsetMs);
        return out;
      });
      arrived.catch(() => {}); // handled by whoever awaits it
      return { arrived };
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
  return fleet;
}
