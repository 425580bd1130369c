// `ambit waypoint list`: the waypoints (Gateways of class istio-waypoint) of a local
// cluster, like `istioctl waypoint list`: where they answer (the Service's ClusterIP),
// what traffic they take (istio.io/waypoint-for), who asks for them (namespaces, services
// and pods whose own istio.io/use-waypoint label names them), whether their pods are
// ready, and their Programmed condition (controller/gateway/waypoint-status.ts, from the
// input waypoint-status-input.ts builds, as the controller's status writer does).
// `-o yaml|json` prints the Gateways with that status, as `kubectl get gateway -o yaml`.
// The rows are a pure function of the cluster's objects and pods.
import { stringify } from 'yaml';
import type { KubeObject } from '../../controller/config/resource.js';
import { groupKind } from '../../controller/config/resource.js';
import { conditionOf, waypointStatus, type GatewayStatus } from '../../controller/gateway/waypoint-status.js';
import { waypointStatusInput } from '../../controller/gateway/waypoint-status-input.js';
import { nsOf } from '../../controller/translate/l7/common.js';
import { isWaypointGateway } from '../../controller/translate/waypoints.js';
import { WAYPOINT_FOR_LABEL, requestedWaypoint } from '../../controller/translate/waypoints.js';
import type { PodInfo, RuntimeClient } from '../local/runtime-api.js';
import { table } from '../table.js';
import { clusterOptions, parseSubcommandArgs, runSubcommand, runtimeClientOf, usageError, type ClusterOptions, type Env, type Output } from './waypoint-common.js';

export const WAYPOINT_LIST_USAGE = `usage: ambit waypoint list [-n NS | -A] [--cluster NAME] [--state-root DIR] [-o yaml|json]
  Lists the waypoints of a local cluster (default namespace: default; -A: every namespace):
    ADDRESS      the waypoint Service's cluster IP
    FOR          the traffic it takes (label istio.io/waypoint-for: service, workload, all or none)
    USED-BY      namespaces (ns/), services (svc/) and pods (pod/) whose own istio.io/use-waypoint label names it
    READY        waypoint pods running and listening / waypoint pods
    PROGRAMMED   the Gateway's Programmed condition (False: with its reason)
  -o yaml|json prints the Gateways with their status (conditions Accepted and Programmed, addresses).`;

export const GATEWAY_KIND = 'gateway.networking.k8s.io/Gateway';
/** What `list` asks the runtime for. */
export const LIST_KINDS: readonly string[] = [GATEWAY_KIND, 'Namespace', 'Service'];
/** USED-BY names at most this many users; more are counted. */
export const USED_BY_NAMES = 3;

export interface WaypointListOptions extends ClusterOptions {
  /** undefined: every namespace. */
  namespace: string | undefined;
  output: 'table' | 'yaml' | 'json';
}

/** What list needs of a pod (PodInfo has it). */
export type PodView = Pick<PodInfo, 'namespace' | 'name' | 'labels' | 'ready' | 'status'>;

export interface WaypointUser {
  kind: 'ns' | 'svc' | 'pod';
  namespace: string;
  name: string;
}

export interface WaypointRow {
  namespace: string;
  name: string;
  /** The Service's cluster IP, '' when none. */
  address: string;
  for: string;
  usedBy: WaypointUser[];
  readyPods: number;
  pods: number;
  gateway: KubeObject;
  status: GatewayStatus;
}

export interface ClusterView {
  objects: readonly KubeObject[];
  pods: readonly PodView[];
}

/** Does an object's own istio.io/use-waypoint label name the waypoint ns/name? */
function asksFor(labels: Record<string, string> | undefined, ownNamespace: string, ns: string, name: string): boolean {
  const ref = requestedWaypoint(labels ?? {}, {}, ownNamespace);
  return ref !== undefined && ref.namespace === ns && ref.name === name;
}

/** One row per waypoint Gateway, sorted by namespace and name; `namespace` undefined: all. */
export function waypointRows(view: ClusterView, namespace: string | undefined): WaypointRow[] {
  const gateways = view.objects.filter((o) => groupKind(o) === GATEWAY_KIND && isWaypointGateway(o) && (namespace === undefined || nsOf(o) === namespace));
  const namespaces = view.objects.filter((o) => groupKind(o) === 'Namespace');
  const services = view.objects.filter((o) => groupKind(o) === 'Service');
  const rows = gateways.map((gw): WaypointRow => {
    const ns = nsOf(gw);
    const name = gw.metadata.name;
    const input = waypointStatusInput(gw, services.find((s) => nsOf(s) === ns && s.metadata.name === name), view.pods);
    const status = waypointStatus(input);
    const pods = input.pods;
    const usedBy: WaypointUser[] = [
      ...namespaces.filter((n) => asksFor(n.metadata.labels, n.metadata.name, ns, name)).map((n) => ({ kind: 'ns' as const, namespace: n.metadata.name, name: n.metadata.name })),
      ...services.filter((s) => asksFor(s.metadata.labels, nsOf(s), ns, name)).map((s) => ({ kind: 'svc' as const, namespace: nsOf(s), name: s.metadata.name })),
      ...view.pods.filter((p) => asksFor(p.labels, p.namespace, ns, name)).map((p) => ({ kind: 'pod' as const, namespace: p.namespace, name: p.name })),
    ];
    const ip = status?.addresses.find((a) => a.type === 'IPAddress')?.value ?? '';
    return {
      namespace: ns, name, address: ip, for: gw.metadata.labels?.[WAYPOINT_FOR_LABEL] ?? 'service',
      usedBy, readyPods: pods.filter((p) => p.ready).length, pods: pods.length, gateway: gw,
      status: status ?? { addresses: [], conditions: [], listeners: [] },
    };
  });
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** USED-BY: a few names (namespace-qualified when not the waypoint's), or a count by kind. */
export function formatUsedBy(row: Pick<WaypointRow, 'namespace' | 'usedBy'>): string {
  const users = row.usedBy;
  if (users.length === 0) return '<none>';
  if (users.length <= USED_BY_NAMES) {
    return users.map((u) => (u.kind === 'ns' || u.namespace === row.namespace ? `${u.kind}/${u.name}` : `${u.kind}/${u.namespace}/${u.name}`)).join(',');
  }
  const count = (k: WaypointUser['kind']): number => users.filter((u) => u.kind === k).length;
  const parts = (['ns', 'svc', 'pod'] as const).filter((k) => count(k) > 0).map((k) => `${count(k)} ${k}`);
  return `${users.length} (${parts.join(', ')})`;
}

export function formatProgrammed(status: GatewayStatus): string {
  const c = conditionOf(status, 'Programmed');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status}(${c.reason})`;
}

/** The table, kubectl's "No resources found" line, or the Gateways with their status. */
export function formatWaypointList(rows: readonly WaypointRow[], namespace: string | undefined, output: WaypointListOptions['output']): { stdout: string; stderr: string } {
  if (output !== 'table') {
    const items = rows.map((r) => ({ ...r.gateway, status: r.status }));
    if (output === 'json') return { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2), stderr: '' };
    return { stdout: items.map((i) => stringify(i, { indentSeq: false, lineWidth: 0 }).trimEnd()).join('\n---\n'), stderr: '' };
  }
  if (rows.length === 0) return { stdout: '', stderr: namespace === undefined ? 'No waypoints found.' : `No waypoints found in namespace ${namespace}.` };
  return {
    stdout: table(['NAMESPACE', 'NAME', 'ADDRESS', 'FOR', 'USED-BY', 'READY', 'PROGRAMMED'], rows.map((r) => [
      r.namespace, r.name, r.address || '<none>', r.for, formatUsedBy(r), `${r.readyPods}/${r.pods}`, formatProgrammed(r.status),
    ])),
    stderr: '',
  };
}

/** Parses the arguments after `ambit waypoint list`. */
export function parseWaypointListArgs(argv: readonly string[], env: Env = {}): WaypointListOptions | 'help' {
  const values = parseSubcommandArgs(argv, { 'all-namespaces': { type: 'boolean', short: 'A' } });
  if (values.help) return 'help';
  if (values['all-namespaces'] && values.namespace !== undefined) throw usageError('-n and -A exclude each other');
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'yaml' && output !== 'json') throw usageError(`-o is yaml or json, not "${output}"`);
  return { ...clusterOptions(values, env), namespace: values['all-namespaces'] ? undefined : (values.namespace ?? 'default'), output };
}

/** `client`: the local cluster's runtime API (tests pass one to a fake runtime). */
export async function listWaypoints(o: WaypointListOptions, io: Output, client: RuntimeClient = runtimeClientOf(o)): Promise<number> {
  const [objects, pods] = await Promise.all([client.objects(LIST_KINDS), client.get<PodInfo>('pods')]);
  const f = formatWaypointList(waypointRows({ objects, pods }, o.namespace), o.namespace, o.output);
  if (f.stdout) io.out(f.stdout);
  if (f.stderr) io.err(f.stderr);
  return 0;
}

export function waypointListCommand(argv: readonly string[], io: Output, env: Env = process.env): Promise<number> {
  return runSubcommand('list', WAYPOINT_LIST_USAGE, () => parseWaypointListArgs(argv, env), (o) => listWaypoints(o, io), io);
}
