// `ambit daemon`: the node daemon with eBPF capture, run in the node's network namespace
// (hostNetwork in Kubernetes; the node netns in `ambit local`). Runs until SIGTERM/SIGINT
// or /quitquitquit, then stops capturing new connections, drains, detaches everything
// and exits.
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { setDefaultHighWaterMark } from 'node:stream';
import { AmbitError } from '../../api/errors.js';
import { createLogger } from '../../api/log.js';
import { EbpfCapture } from '../../daemon/capture/capture.js';
import { findUplink } from '../../daemon/capture/node-routing.js';
import { NodeDaemon, tokenFromFile } from '../../daemon/daemon.js';
import { RELAY_HIGH_WATER_MARK } from '../../daemon/proxy/relay.js';
import type { AttachMode } from '../../native/lib/index.js';
import { quitSignal, serveUntilStopped } from './serve-until-stopped.js';

export interface DaemonCommandOptions {
  node: string;
  nodeIp: string;
  controller: string;
  rootCert: string;
  tokenFile: string;
  uplink: string;
  capture: string;
  adminSocket?: string;
  certTtlSeconds?: number;
  serviceCidr?: string;
}

export const DAEMON_USAGE = `usage: ambit daemon --node NAME --node-ip IP --controller HOST:PORT --root-cert FILE --token-file FILE
                    [--uplink IFACE (default: the one holding the node IP)] [--capture tcx|netlink|auto] [--admin-socket PATH] [--cert-ttl SECONDS]
                    [--service-cidr CIDR]   (capture Service VIPs of pods outside the mesh: only where no kube-proxy runs)
  (defaults from the environment: NODE_NAME, NODE_IP, AMBIT_CONTROLLER, AMBIT_ROOT_CERT, AMBIT_TOKEN_FILE)`;

function captureMode(value: string): AttachMode | 'auto' {
  if (value === 'tcx' || value === 'netlink' || value === 'auto') return value;
  throw new AmbitError('AMBIT_ERR_CONFIG', `--capture must be tcx, netlink or auto, not ${JSON.stringify(value)}`);
}

export function checkDaemonOptions(o: DaemonCommandOptions): string[] {
  const missing: string[] = [];
  if (!o.node) missing.push('--node (or NODE_NAME)');
  if (!isIPv4(o.nodeIp)) missing.push('--node-ip (an IPv4 address, or NODE_IP)');
  if (!o.controller) missing.push('--controller (or AMBIT_CONTROLLER)');
  if (!o.rootCert) missing.push('--root-cert (or AMBIT_ROOT_CERT)');
  if (!o.tokenFile) missing.push('--token-file (or AMBIT_TOKEN_FILE)');
  return missing;
}

export async function daemonCommand(o: DaemonCommandOptions): Promise<number> {
  const missing = checkDaemonOptions(o);
  if (missing.length > 0) {
    process.stderr.write(`ambit daemon: missing or invalid ${missing.join(', ')}\n${DAEMON_USAGE}\n`);
    return 2;
  }
  // A proxy's streams: more than one read in flight per hop before pipe() pauses the source.
  setDefaultHighWaterMark(false, RELAY_HIGH_WATER_MARK);
  // Batched writes: one access-log line per connection would otherwise cost a write each.
  const log = createLogger('daemon', undefined, { bufferBytes: 8 * 1024, flushIntervalMs: 200 });
  const rootPem = readFileSync(o.rootCert, 'utf8');
  const uplink = o.uplink || await findUplink(o.nodeIp);
  if (!uplink) throw new AmbitError('AMBIT_ERR_CONFIG', `no interface holds the node IP ${o.nodeIp}: give --uplink`);
  const capture = await EbpfCapture.start({ node: o.node, nodeIp: o.nodeIp, uplink, mode: captureMode(o.capture), serviceCidr: o.serviceCidr, log });
  const { quitting, onQuit } = quitSignal();
  const daemon = new NodeDaemon({
    node: o.node,
    network: capture.network,
    capture,
    controller: { address: o.controller, rootPem, token: tokenFromFile(o.tokenFile) },
    log,
    adminSocket: o.adminSocket,
    certTtlSeconds: o.certTtlSeconds,
    onQuit,
  });
  try {
    await daemon.start();
  } catch (err) {
    await daemon.stop().catch(() => undefined);
    await capture.close().catch(() => undefined);
    throw err;
  }
  log.info({ node: o.node, nodeIp: o.nodeIp, controller: o.controller }, 'node daemon started');
  await serveUntilStopped('node daemon', daemon, quitting, log);
  return 0;
}
