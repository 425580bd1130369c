// Child-process entry: the load generator, alone in its process (its CPU is reported
// apart from the daemons'). Open-loop HTTP (B1/B2), one bulk stream (B3), connection
// churn (B4); mesh targets are reached "from" the client pod through its fabric copy.
import { LoopbackFabric } from '../../../daemon/network/loopback-network.js';
import { serveRpc } from '../../lib/ipc-rpc.js';
import { bulk } from './bulk-client.js';
import { connRate } from './conn-rate.js';
import type { LoadApi } from './messages.js';
import { OpenLoopHttp } from './open-loop.js';

let fabric: LoopbackFabric | undefined;
let http: OpenLoopHttp | undefined;

serveRpc<LoadApi>({
  table(table) {
    fabric = LoopbackFabric.fromTable(table);
  },
  async httpOpen({ target, connections }) {
    http?.close();
    http = await OpenLoopHttp.open(target, connections, fabric);
  },
  httpRun({ rate, durationMs }) {
    if (!http) throw new Error('httpOpen first');
    return http.run(rate, durationMs);
  },
  httpClose() {
    http?.close();
    http = undefined;
  },
  bulk: ({ target, direction, bytes }) => bulk(target, direction, bytes, fabric),
  connRate: ({ target, concurrency, warmupMs, durationMs }) => connRate(target, concurrency, warmupMs, durationMs, fabric),
}, () => {
  http?.close();
});
