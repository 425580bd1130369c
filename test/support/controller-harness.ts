// Runs a real Controller in-process (gRPC + TLS on 127.0.0.1, bootstrap tokens, CA in a
// temp dir) and connects daemon-side discovery clients to it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../api/log.js';
import { Controller, type ControllerOptions } from '../../controller/controller.js';
import { tokenFile } from '../../controller/auth/bootstrap-tokens.js';
import type { KubeObject } from '../../controller/config/resource.js';
import { StaticSource } from '../../controller/sources/static-source.js';
import { controllerCredentials } from '../../daemon/controller-connection.js';
import { DiscoveryClient, type StateUpdater } from '../../daemon/state/discovery-client.js';
import { ProxyState } from '../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../daemon/state/proxy-state-updater.js';

export interface Harness {
  controller: Controller;
  source: StaticSource;
  stateDir: string;
  address: string;
  token(node: string): string;
  connect(node: string, opts?: { updater?: StateUpdater; token?: string }): { client: DiscoveryClient; state: ProxyState };
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(objects: KubeObject[], extra: Partial<ControllerOptions> = {}): Promise<Harness> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-test-'));
  const source = new StaticSource(objects);
  const clients: DiscoveryClient[] = [];
  const make = (port: number): Controller => new Controller({
    stateDir, sources: [source], log: silentLogger(), grpcHost: '127.0.0.1', grpcPort: port, httpPort: -1,
    nodes: ['node-1', 'node-2'], debounceMs: 10, debounceMaxMs: 50, ...extra,
  });
  let controller = make(0);
  await controller.start();
  const port = controller.grpcPort;
  const harness: Harness = {
    get controller() { return controller; },
    source,
    stateDir,
    address: `127.0.0.1:${port}`,
    token: (node) => readFileSync(tokenFile(controller.tokenDir, node), 'utf8').trim(),
    connect(node, opts = {}) {
      const state = new ProxyState();
      const { credentials, channelOptions } = controllerCredentials(controller.rootCertPem);
      const token = opts.token ?? harness.token(node);
      const client = new DiscoveryClient({
        address: harness.address, node, token: () => token, credentials, channelOptions,
        updater: opts.updater ?? new ProxyStateUpdater(state), log: silentLogger(), backoff: { initialMs: 50, maxMs: 200 },
      });
      clients.push(client);
      client.start();
      return { client, state };
    },
    async restart() {
      await controller.stop();
      controller = make(port);
      await controller.start();
    },
    async close() {
      for (const c of clients) c.stop();
      await controller.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Resolves when `predicate` holds, checking after every event of `emitter` (or rejects after `ms`). */
export function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
