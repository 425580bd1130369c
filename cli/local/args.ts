// `ambit local …` command lines → one LocalCommand (node:util parseArgs per subcommand).
// Pure: the environment is passed in. Errors are AMBIT_ERR_CONFIG naming the problem.
import { parseArgs } from 'node:util';
import { AmbitError } from '../../api/errors.js';
import { labelEditProblem, type LabelEdit } from './desired.js';
import type { GetKind } from './runtime-api.js';
import { DEFAULT_STATE_ROOT } from './state.js';
import { checkClusterName } from './topology-plan.js';

export const DEFAULT_CLUSTER = 'local';
export const DEFAULT_NODES = 2;
export const MAX_NODES = 253;

export interface CommonOptions {
  cluster: string;
  stateRoot: string;
}

/** A pod by name, or any running pod of a Deployment (`deploy/NAME`). */
export type PodTarget = { pod: string } | { deployment: string };

export type LogTarget = { controller: true } | { node: string } | PodTarget;

/** proxy-config sections → keys of the daemon's /config_dump (all: the whole dump). */
export const CONFIG_SECTIONS = {
  workloads: 'workloads', services: 'services', policies: 'policies', certs: 'certificates', routes: 'routes', upstreams: 'upstreams', all: '',
} as const;
export type ConfigSection = keyof typeof CONFIG_SECTIONS;

export type LocalCommand = CommonOptions & (
  | { cmd: 'help' }
  | { cmd: 'up'; files: string[]; nodes: number; timeoutMs: number }
  | { cmd: 'apply' | 'delete'; files: string[]; timeoutMs: number }
  | { cmd: 'label'; kind: 'ns' | 'pod' | 'svc'; name: string; namespace: string; edit: LabelEdit; timeoutMs: number }
  | { cmd: 'exec'; target: PodTarget; namespace: string; argv: string[] }
  | { cmd: 'get'; what: GetKind; /** undefined: all namespaces */ namespace: string | undefined; output: 'table' | 'json' }
  | { cmd: 'logs'; target: LogTarget; namespace: string }
  /** A node's daemon, or a pod's proxy (a waypoint) by pod or deploy/NAME. */
  | { cmd: 'proxy-config'; target: { node: string } | PodTarget; namespace: string; section: ConfigSection }
  | { cmd: 'metrics'; node: string }
  | { cmd: 'down' }
  | { cmd: 'runtime'; nodes: number }
);

/** Every option of every subcommand; ALLOWED says which subcommand takes which. */
const OPTIONS = {
  cluster: { type: 'string' },
  'state-root': { type: 'string' },
  file: { type: 'string', short: 'f', multiple: true },
  nodes: { type: 'string' },
  timeout: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

type OptionName = keyof typeof OPTIONS;

const ALLOWED: Readonly<Record<string, readonly OptionName[]>> = {
  up: ['file', 'nodes', 'timeout'],
  apply: ['file', 'timeout'],
  delete: ['file', 'timeout'],
  label: ['namespace', 'timeout'],
  exec: ['namespace'],
  get: ['namespace', 'all-namespaces', 'output'],
  logs: ['namespace'],
  'proxy-config': ['output', 'namespace'],
  metrics: [],
  down: [],
  runtime: ['nodes'],
};

const GET_KINDS: Readonly<Record<string, GetKind>> = {
  nodes: 'nodes', node: 'nodes', no: 'nodes',
  pods: 'pods', pod: 'pods', po: 'pods',
  svc: 'services', service: 'services', services: 'services',
  workloads: 'workloads', workload: 'workloads',
};

const NODE_NAME = /^node-([1-9]\d{0,2})$/;

function usage(message: string): AmbitError {
  return new AmbitError('AMBIT_ERR_CONFIG', message);
}

function common(values: { cluster?: string; 'state-root'?: string }, env: Readonly<Record<string, string | undefined>>): CommonOptions {
  const cluster = values.cluster ?? env.AMBIT_CLUSTER ?? DEFAULT_CLUSTER;
  checkClusterName(cluster);
  const stateRoot = values['state-root'] ?? env.AMBIT_STATE_ROOT ?? DEFAULT_STATE_ROOT;
  if (!stateRoot.startsWith('/')) throw usage(`--state-root must be an absolute path, not "${stateRoot}"`);
  return { cluster, stateRoot };
}

export function parseNodeCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_NODES;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_NODES)) throw usage(`--nodes must be a whole number from 1 to ${MAX_NODES}, not "${text}"`);
  return n;
}

/** "90", "90s", "1500ms", "2m" → milliseconds. */
export function parseTimeout(text: string | undefined, defaultMs: number): number {
  if (text === undefined) return defaultMs;
  const m = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!m || Number(m[1]) === 0) throw usage(`--timeout must be a positive duration like 90s, 1500ms or 2m, not "${text}"`);
  const unit = m[2] ?? 's';
  return Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
}

/** `key=value` sets, `key-` removes. */
export function parseLabelEdits(args: readonly string[]): LabelEdit {
  const edit: Record<string, string | null> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) edit[a.slice(0, eq)] = a.slice(eq + 1);
    else if (a.endsWith('-') && a.length > 1 && eq < 0) edit[a.slice(0, -1)] = null;
    else throw usage(`invalid label "${a}": use key=value to set a label or key- to remove it`);
  }
  const problem = labelEditProblem(edit);
  if (problem) throw usage(problem);
  return edit;
}

export function parsePodTarget(text: string): PodTarget {
  const m = /^(?:deploy|deployment|deployments|deployment\.apps)\/(.+)$/.exec(text);
  if (m) return { deployment: m[1]! };
  const p = /^(?:pod|pods|po)\/(.+)$/.exec(text);
  return { pod: p ? p[1]! : text };
}

function checkNode(node: string | undefined, what: string): string {
  if (node === undefined) throw usage(`${what}: give a node name (node-1, node-2, …)`);
  if (!NODE_NAME.test(node)) throw usage(`${what}: "${node}" is not a node name (node-1, node-2, …)`);
  return node;
}

function one<T>(positionals: readonly T[], what: string, max = 1): void {
  if (positionals.length > max) throw usage(`${what}: unexpected argument ${JSON.stringify(positionals[max])}`);
}

/** Parses the arguments after `ambit local`. */
export function parseLocalArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): LocalCommand {
  const [cmd, ...rest] = argv;
  const parse = (args: string[]) => {
    let parsed;
    try {
      parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw usage(`ambit local ${cmd ?? ''}: ${(err as Error).message}`);
    }
    const allowed = new Set<string>(['cluster', 'state-root', ...(ALLOWED[cmd ?? ''] ?? [])]);
    for (const name of Object.keys(parsed.values)) {
      if (!allowed.has(name)) throw usage(`ambit local ${cmd ?? ''}: option --${name} does not apply here`);
    }
    return parsed;
  };
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { cmd: 'help', cluster: env.AMBIT_CLUSTER ?? DEFAULT_CLUSTER, stateRoot: env.AMBIT_STATE_ROOT ?? DEFAULT_STATE_ROOT };
    case 'up': {
      const { values, positionals } = parse(rest);
      one(positionals, 'up', 0);
      return { cmd, ...common(values, env), files: values.file ?? [], nodes: parseNodeCount(values.nodes), timeoutMs: parseTimeout(values.timeout, 120_000) };
    }
    case 'apply':
    case 'delete': {
      const { values, positionals } = parse(rest);
      one(positionals, cmd, 0);
      if (!values.file || values.file.length === 0) throw usage(`ambit local ${cmd}: give -f FILE|DIR|- (one or more)`);
      return { cmd, ...common(values, env), files: values.file, timeoutMs: parseTimeout(values.timeout, 60_000) };
    }
    case 'label': {
      const { values, positionals } = parse(rest);
      const [kindWord, name, ...labels] = positionals;
      const kind = kindWord === 'ns' || kindWord === 'namespace' || kindWord === 'namespaces' ? 'ns'
        : kindWord === 'pod' || kindWord === 'pods' || kindWord === 'po' ? 'pod'
          : kindWord === 'svc' || kindWord === 'service' || kindWord === 'services' ? 'svc' : undefined;
      if (!kind) throw usage(`ambit local label: the first argument is ns, pod or svc, not ${JSON.stringify(kindWord ?? '')}`);
      if (!name) throw usage(`ambit local label ${kindWord}: give the ${kind === 'ns' ? 'namespace' : kind === 'pod' ? 'pod' : 'service'} name`);
      if (labels.length === 0) throw usage('ambit local label: give key=value or key- (one or more)');
      return { cmd, ...common(values, env), kind, name, namespace: values.namespace ?? 'default', edit: parseLabelEdits(labels), timeoutMs: parseTimeout(values.timeout, 60_000) };
    }
    case 'exec': {
      const dash = rest.indexOf('--');
      if (dash < 0) throw usage('ambit local exec: put the command after --, e.g. `ambit local exec deploy/sleep -- curl -s http://httpbin:8000/get`');
      const { values, positionals } = parse(rest.slice(0, dash));
      const argv = rest.slice(dash + 1);
      if (positionals.length !== 1) throw usage('ambit local exec: give one target, deploy/NAME or POD');
      if (argv.length === 0) throw usage('ambit local exec: give the command to run after --');
      return { cmd, ...common(values, env), target: parsePodTarget(positionals[0]!), namespace: values.namespace ?? 'default', argv };
    }
    case 'get': {
      const { values, positionals } = parse(rest);
      one(positionals, 'get');
      const what = GET_KINDS[positionals[0] ?? ''];
      if (!what) throw usage(`ambit local get: what to get is one of nodes, pods, svc, workloads${positionals[0] ? `, not "${positionals[0]}"` : ''}`);
      if (values.output !== undefined && values.output !== 'json') throw usage(`ambit local get: -o supports json only, not "${values.output}"`);
      if (values['all-namespaces'] && values.namespace !== undefined) throw usage('ambit local get: -n and -A exclude each other');
      return { cmd, ...common(values, env), what, namespace: values['all-namespaces'] ? undefined : (values.namespace ?? 'default'), output: values.output === 'json' ? 'json' : 'table' };
    }
    case 'logs': {
      const { values, positionals } = parse(rest);
      if (positionals.length !== 1) throw usage('ambit local logs: give one of controller, node/NAME, deploy/NAME or POD');
      const what = positionals[0]!;
      const target: LogTarget = what === 'controller' ? { controller: true }
        : what.startsWith('node/') ? { node: checkNode(what.slice('node/'.length), 'ambit local logs') } : parsePodTarget(what);
      return { cmd, ...common(values, env), target, namespace: values.namespace ?? 'default' };
    }
    case 'proxy-config': {
      const { values, positionals } = parse(rest);
      one(positionals, 'proxy-config', 2);
      const section = positionals[1] ?? 'all';
      if (!Object.hasOwn(CONFIG_SECTIONS, section)) throw usage(`ambit local proxy-config: the section is one of ${Object.keys(CONFIG_SECTIONS).join(', ')}, not "${section}"`);
      if (values.output !== undefined && values.output !== 'json') throw usage(`ambit local proxy-config: -o supports json only, not "${values.output}"`);
      const what = positionals[0];
      if (what === undefined) throw usage('ambit local proxy-config: give a node (node-1, …) or a waypoint pod (deploy/NAME or a pod name)');
      const target = NODE_NAME.test(what) ? { node: what } : parsePodTarget(what);
      return { cmd, ...common(values, env), target, namespace: values.namespace ?? 'default', section: section as ConfigSection };
    }
    case 'metrics': {
      const { values, positionals } = parse(rest);
      one(positionals, 'metrics');
      return { cmd, ...common(values, env), node: checkNode(positionals[0], 'ambit local metrics') };
    }
    case 'down': {
      const { values, positionals } = parse(rest);
      one(positionals, 'down', 0);
      return { cmd, ...common(values, env) };
    }
    case 'runtime': {
      const { values, positionals } = parse(rest);
      one(positionals, 'runtime', 0);
      return { cmd, ...common(values, env), nodes: parseNodeCount(values.nodes) };
    }
    default:
      throw usage(`ambit local: unknown command ${JSON.stringify(cmd)} (up, apply, delete, label, exec, get, logs, proxy-config, metrics, down)`);
  }
}

/** node-1 … node-N. */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node-${i + 1}`);
}
