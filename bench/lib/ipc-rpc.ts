// Typed request/response over a forked child's IPC channel (advanced serialization, so
// typed arrays, NaN and Infinity survive). The parent forks with `forkRpc` and calls
// methods; the child serves them with `serveRpc`. A child exits when asked to stop,
// and on its own when the parent goes away (the IPC channel closes), so a crashed or
// killed case never leaves processes behind. A child can be started inside a network
// namespace (`netns`): `ip netns exec <netns> node …` execs node in place, so the pid
// (for /proc figures) and the IPC channel (an inherited fd) are the child's own.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A child's methods: each with its parameter and result types. */
export type RpcApi = Record<string, { params: unknown; result: unknown }>;

type Call = { rpc: 'call'; id: number; method: string; params: unknown };
type Reply = { rpc: 'reply'; id: number; ok: true; result: unknown } | { rpc: 'reply'; id: number; ok: false; error: string };
type Message = Call | Reply;

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && 'rpc' in m;
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export interface RpcChild<A extends RpcApi> {
  readonly name: string;
  readonly pid: number;
  call<K extends keyof A & string>(method: K, params: A[K]['params'], timeoutMs?: number): Promise<A[K]['result']>;
  /** Asks the child to clean up and exit (the `stop` method), then kills it if it lingers. */
  stop(timeoutMs?: number): Promise<void>;
  readonly exited: boolean;
}

export interface ForkOptions {
  name: string;
  args?: string[];
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run the child inside this named network namespace (`ip netns exec`; root). */
  netns?: string;
  /** Own process group: a Ctrl-C of the terminal does not reach it (the janitor outlives the case). */
  detached?: boolean;
}

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const IP_BINARIES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** execPath and execArgv of a fork: node itself, or `ip netns exec <netns> node` (which execs node, keeping the pid). */
function launcher(opts: ForkOptions): { execPath: string; execArgv: string[] } {
  const execArgv = opts.execArgv ?? [];
  if (!opts.netns) return { execPath: process.execPath, execArgv };
  const ip = IP_BINARIES.find((p) => existsSync(p)) ?? 'ip';
  return { execPath: ip, execArgv: ['netns', 'exec', opts.netns, process.execPath, ...execArgv] };
}

/** Forks `script` (an absolute path) and waits until it answers a ping. */
export async function forkRpc<A extends RpcApi>(script: string, opts: ForkOptions): Promise<RpcChild<A>> {
  const child: ChildProcess = fork(script, opts.args ?? [], {
    ...launcher(opts),
    env: opts.env ?? process.env,
    detached: opts.detached ?? false,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let exited = false;
  let exitError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitError = new Error(`${opts.name} (pid ${child.pid ?? '?'}) exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(exitError);
      }
      pending.clear();
      resolve();
    });
  });
  child.on('error', (err) => {
    exitError ??= err;
  });
  child.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.rpc !== 'reply') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${opts.name}: ${m.error}`));
  });

  const rawCall = (method: string, params: unknown, timeoutMs: number): Promise<unknown> => new Promise((resolve, reject) => {
    if (exited || !child.connected) {
      reject(exitError ?? new Error(`${opts.name} is not running`));
      return;
    }
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`${opts.name}: ${method} not answered within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, { resolve, reject, timer });
    const call: Call = { rpc: 'call', id, method, params };
    child.send(call, (err) => {
      if (!err) return;
      pending.delete(id);
      clearTimeout(timer);
      reject(err);
    });
  });

  const handle: RpcChild<A> = {
    name: opts.name,
    pid: child.pid ?? -1,
    get exited() { return exited; },
    call: (method, params, timeoutMs = DEFAULT_CALL_TIMEOUT_MS) => rawCall(method, params, timeoutMs),
    async stop(timeoutMs = 10_000) {
      if (exited) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        await rawCall('stop', undefined, timeoutMs).catch(() => undefined);
        if (!exited) {
          // The child exits right after answering; give it a moment, then make sure.
          await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 2000))]);
          if (!exited) child.kill('SIGKILL');
        }
        await exitPromise;
      } finally {
        clearTimeout(killer);
      }
    },
  };
  try {
    await rawCall('ping', undefined, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exitPromise;
    throw err;
  }
  return handle;
}

export type RpcHandlers<A extends RpcApi> = { [K in keyof A]: (params: A[K]['params']) => Promise<A[K]['result']> | A[K]['result'] };

/** Child side: answers calls with `handlers`; `stop` runs `cleanup`, answers, then exits. */
export function serveRpc<A extends RpcApi>(handlers: RpcHandlers<A>, cleanup: () => Promise<void> | void = () => {}): void {
  if (!process.send) throw new Error('serveRpc: this process has no IPC channel (start it with forkRpc)');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await cleanup();
      } catch (err) {
        process.stderr.write(`cleanup failed: ${errorText(err)}\n`);
      }
    })();
    return stopping;
  };
  const reply = (m: Reply, then?: () => void): void => {
    if (!process.connected) return;
    process.send?.(m, undefined, {}, () => then?.());
  };
  // The parent went away (crash, timeout kill): clean up and do not linger as an orphan.
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  // A Ctrl-C reaches the whole process group: the parent decides (it stops its children,
  // or they clean up when it goes away). SIGTERM (e.g. a teardown sweeping a namespace)
  // cleans up before exiting, so nothing a child made (temp dirs, processes) is left.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {
    void stop().finally(() => process.exit(0));
  });
  process.on('message', (m: unknown) => {
    if (!isMessage(m) || m.rpc !== 'call') return;
    const { id, method, params } = m;
    if (method === 'ping') return reply({ rpc: 'reply', id, ok: true, result: process.pid });
    if (method === 'stop') {
      void stop().then(() => reply({ rpc: 'reply', id, ok: true, result: undefined }, () => process.exit(0)));
      return;
    }
    const handler = (handlers as Record<string, ((p: unknown) => unknown) | undefined>)[method];
    if (!handler) return reply({ rpc: 'reply', id, ok: false, error: `unknown method ${method}` });
    Promise.resolve()
      .then(() => handler(params))
      .then(
        (result) => reply({ rpc: 'reply', id, ok: true, result }),
        (err: unknown) => reply({ rpc: 'reply', id, ok: false, error: errorText(err) }),
      );
  });
}
