// What `ambit waypoint apply` and `ambit waypoint list` share: the command's usage, the
// local cluster options (--cluster, --state-root, as `ambit local`), and the runtime
// client of that cluster. Light: `ambit waypoint --help` loads only this.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AmbitError, isAmbitError } from '../../api/errors.js';
import { DEFAULT_CLUSTER } from '../local/args.js';
import { RuntimeClient } from '../local/runtime-api.js';
import { DEFAULT_STATE_ROOT, clusterStateDir, runtimeSocket } from '../local/state.js';
import { checkClusterName } from '../local/topology-plan.js';

export const WAYPOINT_USAGE = `usage: ambit waypoint <command> [options]

  apply -n NS [--name waypoint] [--for service|workload|all|none] [--enroll-namespace] [-o yaml|json]
                                   create or update a waypoint (Gateway of class istio-waypoint) in a local cluster
  list [-n NS | -A] [-o yaml|json] the waypoints of a local cluster: address, traffic they take, who uses them, readiness
  run --namespace NS --name GATEWAY ...
                                   run the waypoint proxy itself (what a waypoint's Deployment runs)

  apply and list talk to the local cluster (\`ambit local up\`; root): --cluster NAME (env AMBIT_CLUSTER,
  default local), --state-root DIR (env AMBIT_STATE_ROOT, default /run/ambit).
  \`ambit waypoint <command> --help\` for each command's options.`;

export interface ClusterOptions {
  cluster: string;
  stateRoot: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function usageError(message: string): AmbitError {
  return new AmbitError('AMBIT_ERR_CONFIG', message);
}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The options `apply` and `list` both take. */
const COMMON_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  cluster: { type: 'string' },
  'state-root': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Config<O extends ParseArgsOptionsConfig> = { args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: true; strict: true };

/** Parses a subcommand's arguments (the common options plus `extra`); a bad option or any positional argument is a usage error. */
export function parseSubcommandArgs<O extends ParseArgsOptionsConfig>(argv: readonly string[], extra: O): ReturnType<typeof parseArgs<Config<O>>>['values'] {
  let parsed;
  try {
    parsed = parseArgs<Config<O>>({ args: [...argv], options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  if (parsed.positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  return parsed.values;
}

/** --cluster / --state-root with the same defaults and checks as `ambit local`. */
export function clusterOptions(values: { cluster?: string; 'state-root'?: string }, env: Env): ClusterOptions {
  const cluster = values.cluster ?? env.AMBIT_CLUSTER ?? DEFAULT_CLUSTER;
  try {
    checkClusterName(cluster);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const stateRoot = values['state-root'] ?? env.AMBIT_STATE_ROOT ?? DEFAULT_STATE_ROOT;
  if (!stateRoot.startsWith('/')) throw usageError(`--state-root must be an absolute path, not "${stateRoot}"`);
  return { cluster, stateRoot };
}

/** The runtime API of the local cluster; its socket is root's only. */
export function runtimeClientOf(c: ClusterOptions): RuntimeClient {
  if (process.getuid?.() !== 0) {
    throw new AmbitError('AMBIT_ERR_CONFIG', `talking to local cluster "${c.cluster}" needs root (its runtime socket is root's only): run it with sudo`);
  }
  return new RuntimeClient(runtimeSocket(clusterStateDir(c.cluster, c.stateRoot)), c.cluster);
}

/**
 * Runs a subcommand: a usage error prints the message and a hint and exits 2; other
 * errors propagate (the top level prints them and exits 1).
 */
export async function runSubcommand<T>(name: string, usage: string, parse: () => T | 'help', run: (o: T) => Promise<number>, io: Output): Promise<number> {
  let parsed: T | 'help';
  try {
    parsed = parse();
  } catch (err) {
    if (!isAmbitError(err, 'AMBIT_ERR_CONFIG')) throw err;
    io.err(`ambit waypoint ${name}: ${err.message}\n(\`ambit waypoint ${name} --help\` for usage)`);
    return 2;
  }
  if (parsed === 'help') {
    io.out(usage);
    return 0;
  }
  return run(parsed);
}
