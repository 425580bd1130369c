// What `ambit local` prints: `get` tables (or JSON), kubectl-style change lines, findings
// and problems. Pure.
import { formatFinding, type Finding } from '../../controller/validation/finding.js';
import { table } from '../table.js';
import type { ObjectChange } from './desired.js';
import type { GetKind, NodeInfo, OperationResult, PodInfo, ServiceInfo, WorkloadInfo } from './runtime-api.js';

type Row = NodeInfo | PodInfo | ServiceInfo | WorkloadInfo;

/** Keeps the rows of one namespace (undefined: all); nodes have none. */
export function inNamespace<T extends Row>(rows: readonly T[], namespace: string | undefined): T[] {
  return namespace === undefined ? [...rows] : rows.filter((r) => !('namespace' in r) || r.namespace === namespace);
}

function sortRows<T extends Row>(rows: readonly T[]): T[] {
  const key = (r: Row): string => ('namespace' in r ? `${r.namespace}/${r.name}` : r.name);
  // Nodes by number (node-10 after node-9); everything else by namespace/name.
  return [...rows].sort((a, b) => ('namespace' in a ? key(a).localeCompare(key(b)) : key(a).localeCompare(key(b), 'en', { numeric: true })));
}

function servicePorts(s: ServiceInfo): string {
  return s.ports.map((p) => `${p.port}/${p.protocol}`).join(',') || '<none>';
}

/** The `get` table; a NAMESPACE column first when listing all namespaces. */
export function formatTable(what: GetKind, rows: readonly Row[], allNamespaces: boolean): string {
  const ns = (r: Row): string[] => (allNamespaces && 'namespace' in r ? [r.namespace] : []);
  const nsHeader = allNamespaces ? ['NAMESPACE'] : [];
  const sorted = sortRows(rows);
  switch (what) {
    case 'nodes':
      return table(['NAME', 'IP', 'POD-CIDR', 'DAEMON', 'RESTARTS'], (sorted as NodeInfo[]).map((n) => [n.name, n.ip, n.podCidr, n.daemon.status, String(n.daemon.restarts)]));
    case 'pods':
      return table([...nsHeader, 'NAME', 'STATUS', 'IP', 'NODE', 'MESH'], (sorted as PodInfo[]).map((p) => [...ns(p), p.name, p.status, p.ip || '<none>', p.node, p.mesh]));
    case 'services':
      return table([...nsHeader, 'NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)'], (sorted as ServiceInfo[]).map((s) => [...ns(s), s.name, s.type, s.clusterIP || '<none>', servicePorts(s)]));
    case 'workloads':
      return table([...nsHeader, 'NAME', 'IP', 'NODE', 'PROTOCOL', 'IDENTITY'], (sorted as WorkloadInfo[]).map((w) => [...ns(w), w.name, w.ip, w.node, w.protocol, w.identity]));
  }
}

/** What `get` prints: the table, kubectl's "No resources found" message, or a JSON array. */
export function formatGet(what: GetKind, rows: readonly Row[], namespace: string | undefined, output: 'table' | 'json'): { stdout: string; stderr: string } {
  const selected = sortRows(what === 'nodes' ? rows : inNamespace(rows, namespace));
  if (output === 'json') return { stdout: `${JSON.stringify(selected, null, 2)}\n`, stderr: '' };
  if (selected.length === 0) {
    return { stdout: '', stderr: what === 'nodes' || namespace === undefined ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n` };
  }
  return { stdout: `${formatTable(what, selected, namespace === undefined && what !== 'nodes')}\n`, stderr: '' };
}

/** kubectl's "deployment.apps/httpbin created". */
export function formatChange(c: ObjectChange): string {
  return `${c.ref} ${c.action}`;
}

/** The result of apply/delete/label: changes on stdout, findings and errors on stderr; exit code 1 when anything was rejected or failed. */
export function formatOperation(result: OperationResult): { stdout: string; stderr: string; code: number } {
  const lines = (xs: readonly string[]): string => xs.map((x) => `${x}\n`).join('');
  const errors = result.findings.filter((f: Finding) => f.severity === 'error');
  const stderr = [
    ...result.findings.map(formatFinding),
    ...result.errors.map((e) => `${e.code}: ${e.message}`),
  ];
  if (errors.length > 0) stderr.push(`${errors.length} resource error(s): those resources were left as they were; the rest was done`);
  return { stdout: lines(result.changes.map(formatChange)), stderr: lines(stderr), code: errors.length > 0 || result.errors.length > 0 ? 1 : 0 };
}

/** The section of a /config_dump answer that proxy-config prints ('' = all). */
export function configSection(dump: unknown, key: string): unknown {
  if (key === '') return dump;
  if (typeof dump !== 'object' || dump === null || !(key in dump)) return undefined;
  return (dump as Record<string, unknown>)[key];
}
