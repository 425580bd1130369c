// `ambit local …`: a whole mesh on this machine (cli/local/README.md). Parses the command
// line (cli/local/args.ts) and runs the subcommand; everything but `help` needs root.
import { AmbitError } from '../../api/errors.js';
import { parseLocalArgs } from '../local/args.js';
import {
  applyOrDeleteCommand, execCommand, getCommand, labelCommand, logsCommand, metricsCommand, proxyConfigCommand, type Output,
} from './local-ops.js';

export const LOCAL_USAGE = `usage: ambit local <command> [--cluster NAME] [--state-root DIR]

  up [-f FILE|DIR]... [--nodes 2] [--timeout 120s]
                                   create the cluster; returns when controller, daemons and pods are ready
  apply -f FILE|DIR|-...           create or update resources; returns when every daemon has them and new pods are ready
  delete -f FILE|DIR|-...          delete resources
  label ns|pod|svc NAME key=value|key-... [-n NS]
                                   set or remove labels (no restart)
  exec deploy/NAME|POD [-n NS] -- CMD [ARGS...]
                                   run CMD in the pod's network namespace (stdio and exit code passed through)
  get nodes|pods|svc|workloads [-n NS|-A] [-o json]
  logs controller|node/NAME|deploy/NAME|POD [-n NS]
  proxy-config NODE|deploy/NAME|POD [-n NS] [workloads|services|policies|certs|routes|upstreams|all] [-o json]
                                   the node daemon's configuration dump
  metrics NODE                     the node daemon's Prometheus metrics
  down                             stop everything and remove every namespace, link and file

  --cluster (env AMBIT_CLUSTER, default local) and --state-root (env AMBIT_STATE_ROOT,
  default /run/ambit) select the cluster; several can run side by side.`;

export async function localCommand(argv: readonly string[], io: Output): Promise<number> {
  const cmd = parseLocalArgs(argv, process.env);
  if (cmd.cmd === 'help') {
    io.out(LOCAL_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (process.getuid?.() !== 0) {
    throw new AmbitError('AMBIT_ERR_CONFIG', 'ambit local needs root (network namespaces, links, eBPF): run it with sudo');
  }
  switch (cmd.cmd) {
    // The lifecycle commands load the controller and the runtime: only when needed.
    case 'up': return (await import('./local-lifecycle.js')).upCommand(cmd, io);
    case 'down': return (await import('./local-lifecycle.js')).downCommand(cmd, io);
    case 'runtime': return (await import('./local-lifecycle.js')).runtimeCommand(cmd);
    case 'apply':
    case 'delete': return applyOrDeleteCommand(cmd.cmd, cmd, io);
    case 'label': return labelCommand(cmd, io);
    case 'get': return getCommand(cmd, io);
    case 'exec': return execCommand(cmd);
    case 'logs': return logsCommand(cmd, io);
    case 'proxy-config': return proxyConfigCommand(cmd, io);
    case 'metrics': return metricsCommand(cmd, io);
  }
}
