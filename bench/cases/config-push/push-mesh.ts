// The B8 mesh: a real Controller in this process (TLS gRPC on 127.0.0.1, port 0,
// bootstrap tokens for every node, the production debounce) fed by a StaticSource, and
// the nodes' daemons in a child process (fleet-process.ts), connected over real TLS.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../api/log.js';
import { tokenFile } from '../../../controller/auth/bootstrap-tokens.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { Controller } from '../../../controller/controller.js';
import { StaticSource } from '../../../controller/sources/static-source.js';
import { startFleetProcess, type FleetProcess } from './fleet-process.js';

export const DEBOUNCE_MS = 100;      // the controller's defaults, stated so the report can say so
export const DEBOUNCE_MAX_MS = 1000;

/** Daemon channel options on top of the daemon's own (see the notes in `raw`). */
export const BENCH_CHANNEL_OPTIONS = {
  'grpc.use_local_subchannel_pool': 1,    // one TCP+TLS connection per daemon, as on real nodes
  'grpc.max_receive_message_length': -1,  // headroom: gRPC's default is 4 MiB per message
};

export interface PushMesh {
  controller: Controller;
  source: StaticSource;
  fleet: FleetProcess;
  /** Connects one daemon per node (in batches) and resolves once all hold the snapshot. */
  connectAll(): Promise<{ ms: number; heapUsed: number }>;
  close(): Promise<void>;
}

export async function startPushMesh(initial: readonly KubeObject[], nodes: readonly string[]): Promise<PushMesh> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-push-'));
  const source = new StaticSource(initial);
  const controller = new Controller({
    stateDir, sources: [source], log: silentLogger(), grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1,
    nodes: [...nodes], debounceMs: DEBOUNCE_MS, debounceMaxMs: DEBOUNCE_MAX_MS,
  });
  const fleet = startFleetProcess();
  try {
    await controller.start();
    await fleet.measureClock();
  } catch (err) {
    await fleet.stop();
    await controller.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  return {
    controller,
    source,
    fleet,
    connectAll() {
      const tokens = nodes.map((node) => ({ node, token: readFileSync(tokenFile(controller.tokenDir, node), 'utf8').trim() }));
      return fleet.connect(`127.0.0.1:${controller.grpcPort}`, controller.rootCertPem, tokens, BENCH_CHANNEL_OPTIONS);
    },
    async close() {
      await fleet.stop();
      await controller.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
