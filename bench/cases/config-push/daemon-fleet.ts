// Child-process entry: the B8 daemons. One DiscoveryClient per node, each with its own
// ProxyState, ProxyStateUpdater and TLS connection, all on this process's event loop
// (apart from the controller's, so neither one's CPU or heap distorts the other's).
// Driven over IPC by fleet-process.ts; see fleet-messages.ts.
import type * as grpc from '@grpc/grpc-js';
import { silentLogger } from '../../../api/log.js';
import { DiscoveryClient, type StateUpdate } from '../../../daemon/state/discovery-client.js';
import { controllerCredentials } from '../../../daemon/controller-connection.js';
import { ProxyState } from '../../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../../daemon/state/proxy-state-updater.js';
import type { FleetNode, FromFleet, ToFleet } from './fleet-messages.js';

interface Daemon {
  node: string;
  client: DiscoveryClient;
  state: ProxyState;
  onApplied: ((update: StateUpdate, at: number) => void) | undefined;
}

const daemons: Daemon[] = [];

function send(message: FromFleet): void {
  process.send?.(message);
}

function connectOne(address: string, rootPem: string, n: FleetNode, channelOptions: grpc.ChannelOptions): Promise<void> {
  const { credentials, channelOptions: daemonOptions } = controllerCredentials(rootPem);
  const state = new ProxyState();
  const hook: Pick<Daemon, 'onApplied'> = { onApplied: undefined };
  const client = new DiscoveryClient({
    address, node: n.node, token: () => n.token, credentials,
    channelOptions: { ...daemonOptions, ...channelOptions },
    updater: new ProxyStateUpdater(state, (update) => hook.onApplied?.(update, performance.now())),
    log: silentLogger(),
  });
  daemons.push(Object.assign(hook, { node: n.node, client, state }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${n.node}: no snapshot within 120 s (last NACK: ${client.lastNack || 'none'})`)), 120_000);
    client.once('synced', () => { clearTimeout(timer); resolve(); });
    client.start();
  });
}

async function connect(m: Extract<ToFleet, { type: 'connect' }>): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < m.nodes.length; i += m.batch) {
    await Promise.all(m.nodes.slice(i, i + m.batch).map((n) => connectOne(m.address, m.rootPem, n, m.channelOptions)));
  }
  globalThis.gc?.();
  send({ type: 'synced', ms: performance.now() - started, heapUsed: process.memoryUsage().heapUsed });
}

function watch(m: Extract<ToFleet, { type: 'watch' }>): void {
  const times: Record<string, number> = {};
  let left = daemons.length;
  for (const d of daemons) {
    d.onApplied = (update, at) => {
      const hit = update.upserts.some((r) => r.kind === 'WORKLOAD' && r.name === m.uid && r.value.labels[m.label] === m.value);
      if (!hit) return;
      times[d.node] = at;
      d.onApplied = undefined;
      if (--left === 0) send({ type: 'arrived', times });
    };
  }
  send({ type: 'watching' });
}

// The case process went away (crash, timeout kill): do not linger as an orphan.
process.on('disconnect', () => process.exit(0));

process.on('message', (m: ToFleet) => {
  switch (m.type) {
    case 'connect':
      connect(m).catch((err: unknown) => send({ type: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
      return;
    case 'watch': return watch(m);
    case 'ping': return send({ type: 'pong', id: m.id, now: performance.now() });
    case 'stop':
      for (const d of daemons) d.client.stop();
      process.exit(0);
      return;
  }
});
