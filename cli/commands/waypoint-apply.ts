// `ambit waypoint apply`: like `istioctl waypoint apply`, writes the waypoint Gateway
// (class istio-waypoint, one HBONE listener on 15008, `istio.io/waypoint-for`) and
// applies it to a local cluster through the runtime's API, as `ambit local apply` does;
// it returns when the runtime reports the apply done (every daemon has it, the waypoint
// pod runs and listens). `--enroll-namespace` then labels the namespace
// `istio.io/use-waypoint=<name>`; `-o yaml|json` only prints the Gateway.
import { stringify } from 'yaml';
import type { KubeObject } from '../../controller/config/resource.js';
import { USE_WAYPOINT_LABEL, WAYPOINT_FOR_LABEL } from '../../controller/translate/waypoints.js';
import { WAYPOINT_LISTENER } from '../../controller/gateway/waypoint-status.js';
import { WAYPOINT_CLASS } from '../../controller/translate/waypoints.js';
import { dns1035Label, dns1123Label } from '../../controller/validation/names.js';
import { parseTimeout } from '../local/args.js';
import { formatOperation } from '../local/format.js';
import type { OperationResult, RuntimeClient } from '../local/runtime-api.js';
import { clusterOptions, parseSubcommandArgs, runSubcommand, runtimeClientOf, usageError, type ClusterOptions, type Env, type Output } from './waypoint-common.js';

export const WAYPOINT_FOR_VALUES = ['service', 'workload', 'all', 'none'] as const;
export type WaypointFor = (typeof WAYPOINT_FOR_VALUES)[number];

export const DEFAULT_WAYPOINT_NAME = 'waypoint';

export const WAYPOINT_APPLY_USAGE = `usage: ambit waypoint apply -n NS [--name waypoint] [--for service|workload|all|none] [--enroll-namespace]
                            [--cluster NAME] [--state-root DIR] [--timeout 60s] [-o yaml|json]
  Creates or updates the waypoint NS/NAME in a local cluster: a Gateway of class istio-waypoint with
  the listener mesh (port 15008, HBONE), labelled istio.io/waypoint-for (default service). The local
  runtime deploys it (ServiceAccount, Deployment, Service NAME); returns once every node has it and
  the waypoint pod runs and listens.
  --enroll-namespace   also label namespace NS istio.io/use-waypoint=NAME: its services then use the waypoint
  -o yaml|json         print the Gateway instead of applying it (no cluster needed)
  Opt in single services or pods with the label istio.io/use-waypoint=NAME (and
  istio.io/use-waypoint-namespace=NS from another namespace); istio.io/use-waypoint=none opts out.`;

export interface WaypointSpec {
  namespace: string;
  name: string;
  for: WaypointFor;
}

export interface WaypointApplyOptions extends ClusterOptions, WaypointSpec {
  enrollNamespace: boolean;
  output?: 'yaml' | 'json';
  timeoutMs: number;
}

/** The waypoint Gateway, as istioctl writes it. */
export function waypointGateway(w: WaypointSpec): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: w.name, namespace: w.namespace, labels: { [WAYPOINT_FOR_LABEL]: w.for } },
    spec: {
      gatewayClassName: WAYPOINT_CLASS,
      listeners: [{ name: 'mesh', port: WAYPOINT_LISTENER.port, protocol: WAYPOINT_LISTENER.protocol }],
    },
  };
}

/** The Gateway as `-o yaml` or `-o json` prints it. */
export function formatGateway(gateway: KubeObject, output: 'yaml' | 'json'): string {
  return output === 'json' ? JSON.stringify(gateway, null, 2) : stringify(gateway, { indentSeq: false, lineWidth: 0 }).trimEnd();
}

/** Parses the arguments after `ambit waypoint apply`. */
export function parseWaypointApplyArgs(argv: readonly string[], env: Env = {}): WaypointApplyOptions | 'help' {
  const values = parseSubcommandArgs(argv, {
    name: { type: 'string' },
    for: { type: 'string' },
    'enroll-namespace': { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (values.help) return 'help';
  const namespace = values.namespace;
  if (namespace === undefined || namespace === '') throw usageError('give the namespace with -n NS');
  const nsProblem = dns1123Label(namespace);
  if (nsProblem) throw usageError(`invalid namespace: ${nsProblem}`);
  const name = values.name ?? DEFAULT_WAYPOINT_NAME;
  // The waypoint's Service takes the Gateway's name: a DNS-1035 label.
  const nameProblem = dns1035Label(name);
  if (nameProblem) throw usageError(`invalid --name: ${nameProblem}`);
  const waypointFor = values.for ?? 'service';
  if (!(WAYPOINT_FOR_VALUES as readonly string[]).includes(waypointFor)) {
    throw usageError(`--for is one of ${WAYPOINT_FOR_VALUES.join(', ')}, not "${waypointFor}"`);
  }
  const output = values.output;
  if (output !== undefined && output !== 'yaml' && output !== 'json') throw usageError(`-o is yaml or json, not "${output}"`);
  if (output !== undefined && values['enroll-namespace']) throw usageError('-o prints the Gateway only; it does not go with --enroll-namespace');
  return {
    ...clusterOptions(values, env),
    namespace, name, for: waypointFor as WaypointFor,
    enrollNamespace: values['enroll-namespace'] ?? false,
    ...(output !== undefined ? { output } : {}),
    timeoutMs: parseTimeout(values.timeout, 60_000),
  };
}

/** Prints findings and problems of an operation (stderr); returns its exit code. */
function report(result: OperationResult, io: Output): number {
  const f = formatOperation(result);
  if (f.stderr) io.err(f.stderr.trimEnd());
  return f.code;
}

/** Where findings about the generated Gateway say it came from. */
const SOURCE = 'ambit waypoint apply';

/** `client`: the local cluster's runtime API (tests pass one to a fake runtime). */
export async function applyWaypoint(o: WaypointApplyOptions, io: Output, client?: RuntimeClient): Promise<number> {
  const gateway = waypointGateway(o);
  if (o.output) {
    io.out(formatGateway(gateway, o.output));
    return 0;
  }
  client ??= runtimeClientOf(o);
  const applied = await client.apply({ objects: [{ object: gateway, file: SOURCE }], timeoutMs: o.timeoutMs });
  const change = applied.changes.find((c) => c.ref === `gateway.gateway.networking.k8s.io/${o.name}`);
  if (change) io.out(`waypoint ${o.namespace}/${o.name} ${change.action === 'unchanged' ? 'unchanged' : 'applied'}`);
  const code = report(applied, io);
  if (code !== 0 || !o.enrollNamespace) return code;
  const labeled = await client.label({ kind: 'ns', namespace: o.namespace, name: o.namespace, edit: { [USE_WAYPOINT_LABEL]: o.name }, timeoutMs: o.timeoutMs });
  io.out(`namespace ${o.namespace} labeled with "${USE_WAYPOINT_LABEL}: ${o.name}"`);
  return report(labeled, io);
}

export function waypointApplyCommand(argv: readonly string[], io: Output, env: Env = process.env): Promise<number> {
  return runSubcommand('apply', WAYPOINT_APPLY_USAGE, () => parseWaypointApplyArgs(argv, env), (o) => applyWaypoint(o, io), io);
}
