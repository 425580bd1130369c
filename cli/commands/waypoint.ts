// `ambit waypoint run`: the waypoint proxy process (what a waypoint Gateway's
// Deployment runs). (`apply` and `list` are waypoint-apply.ts and waypoint-list.ts.) Runs until SIGTERM/SIGINT or /quitquitquit, then stops accepting,
// drains and exits.
import { readFileSync } from 'node:fs';
import { createLogger } from '../../api/log.js';
import { tokenFromFile } from '../../daemon/daemon.js';
import { Waypoint } from '../../waypoint/waypoint.js';
import { quitSignal, serveUntilStopped } from './serve-until-stopped.js';

export interface WaypointRunOptions {
  namespace: string;
  name: string;
  serviceAccount: string;
  node: string;
  controller: string;
  rootCert: string;
  tokenFile: string;
  certTtlSeconds?: number;
}

export const WAYPOINT_RUN_USAGE = `usage: ambit waypoint run --namespace NS --name GATEWAY [--service-account SA (default: GATEWAY)]
                         --node NAME --controller HOST:PORT --root-cert FILE --token-file FILE [--cert-ttl SECONDS]
  Runs the waypoint (L7 proxy) of the Gateway NS/GATEWAY (class istio-waypoint): HBONE on 15008,
  admin on 127.0.0.1:15000, /metrics on 15020, /healthz/ready on 15021.
  (defaults from the environment: POD_NAMESPACE, SERVICE_ACCOUNT, NODE_NAME, AMBIT_CONTROLLER, AMBIT_ROOT_CERT, AMBIT_TOKEN_FILE)`;

export function checkWaypointOptions(o: WaypointRunOptions): string[] {
  const missing: string[] = [];
  if (!o.namespace) missing.push('--namespace (or POD_NAMESPACE)');
  if (!o.name) missing.push('--name');
  if (!o.node) missing.push('--node (or NODE_NAME)');
  if (!o.controller) missing.push('--controller (or AMBIT_CONTROLLER)');
  if (!o.rootCert) missing.push('--root-cert (or AMBIT_ROOT_CERT)');
  if (!o.tokenFile) missing.push('--token-file (or AMBIT_TOKEN_FILE)');
  return missing;
}

export async function waypointRunCommand(o: WaypointRunOptions): Promise<number> {
  const missing = checkWaypointOptions(o);
  if (missing.length > 0) {
    process.stderr.write(`ambit waypoint run: missing ${missing.join(', ')}\n${WAYPOINT_RUN_USAGE}\n`);
    return 2;
  }
  const log = createLogger('waypoint', undefined, { bufferBytes: 8 * 1024, flushIntervalMs: 200 });
  const { quitting, onQuit } = quitSignal();
  const waypoint = new Waypoint({
    namespace: o.namespace, name: o.name, serviceAccount: o.serviceAccount || o.name, node: o.node,
    controller: { address: o.controller, rootPem: readFileSync(o.rootCert, 'utf8'), token: tokenFromFile(o.tokenFile) },
    log, certTtlSeconds: o.certTtlSeconds, onQuit,
  });
  try {
    await waypoint.start();
  } catch (err) {
    await waypoint.stop().catch(() => undefined);
    throw err;
  }
  log.info({ waypoint: `${o.namespace}/${o.name}`, node: o.node, controller: o.controller }, 'waypoint started');
  await serveUntilStopped('waypoint', waypoint, quitting, log);
  return 0;
}
