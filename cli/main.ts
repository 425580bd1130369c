// The `ambit` command line. Each command's modules are loaded only when it runs (the
// controller's alone take most of a second to load; `ambit local exec` should not pay that).
import { parseArgs } from 'node:util';

const USAGE = `usage: ambit <command> [options]

commands:
  demo [DIR]                     run the controller on DIR (default examples/) and show what it computed
  analyze -f PATH [-f PATH]...   validate Istio/Kubernetes YAML; exit 1 when there are errors
  controller [-f DIR]... [--kube] [--state-dir DIR] [--port 15012] [--http-port 15014] [--http-host 127.0.0.1]
             [--nodes node-1,node-2] [--cacerts DIR] [--outbound-traffic-policy ALLOW_ANY|REGISTRY_ONLY]
                                 run the controller (local YAML and/or the Kubernetes API)
  daemon --node NAME --node-ip IP --controller HOST:PORT --root-cert FILE --token-file FILE ...
                                 run the node daemon with eBPF capture (root; in the node's network namespace)
  waypoint apply|list|run ...    waypoints (L7 proxies): \`apply -n NS\` and \`list\` in a local cluster, \`run\` the proxy
                                 itself (\`ambit waypoint help\` for the commands)
  local up|apply|delete|label|exec|get|logs|proxy-config|metrics|down ...
                                 a whole mesh on this machine: nodes and pods in network namespaces
                                 (root; \`ambit local help\` for the commands)
  version                        print the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };
  const err = (line: string): void => { process.stderr.write(`${line}\n`); };
  switch (command) {
    case 'demo':
      return (await import('./commands/demo.js')).demoCommand(rest[0] ?? 'examples', out);
    case 'analyze': {
      const { values } = parseArgs({ args: rest, options: { file: { type: 'string', short: 'f', multiple: true } } });
      return (await import('./commands/analyze.js')).analyzeCommand(values.file ?? [], out, err);
    }
    case 'controller': {
      const { values } = parseArgs({
        args: rest,
        options: {
          file: { type: 'string', short: 'f', multiple: true },
          kube: { type: 'boolean', default: false },
          'state-dir': { type: 'string', default: '/var/lib/ambit' },
          port: { type: 'string', default: '15012' },
          'http-port': { type: 'string', default: '15014' },
          'http-host': { type: 'string', default: '127.0.0.1' },
          nodes: { type: 'string', default: '' },
          cacerts: { type: 'string' },
          'outbound-traffic-policy': { type: 'string' },
        },
      });
      const { controllerCommand } = await import('./commands/controller.js');
      return controllerCommand({
        files: values.file ?? [], kube: values.kube, stateDir: values['state-dir'], grpcPort: Number(values.port),
        httpPort: Number(values['http-port']), httpHost: values['http-host'], nodes: values.nodes.split(',').filter((n) => n !== ''),
        cacerts: values.cacerts, outboundTrafficPolicy: values['outbound-traffic-policy'],
      });
    }
    case 'daemon': {
      const env = process.env;
      const { values } = parseArgs({
        args: rest,
        options: {
          node: { type: 'string', default: env.NODE_NAME ?? '' },
          'node-ip': { type: 'string', default: env.NODE_IP ?? '' },
          controller: { type: 'string', default: env.AMBIT_CONTROLLER ?? '' },
          'root-cert': { type: 'string', default: env.AMBIT_ROOT_CERT ?? '' },
          'token-file': { type: 'string', default: env.AMBIT_TOKEN_FILE ?? '' },
          uplink: { type: 'string', default: '' },
          capture: { type: 'string', default: 'tcx' },
          'admin-socket': { type: 'string' },
          'cert-ttl': { type: 'string' },
          'service-cidr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      const { DAEMON_USAGE, daemonCommand } = await import('./commands/daemon.js');
      if (values.help) {
        out(DAEMON_USAGE);
        return 0;
      }
      const code = await daemonCommand({
        node: values.node, nodeIp: values['node-ip'], controller: values.controller, rootCert: values['root-cert'], tokenFile: values['token-file'],
        uplink: values.uplink, capture: values.capture, adminSocket: values['admin-socket'],
        certTtlSeconds: values['cert-ttl'] ? Number(values['cert-ttl']) : undefined, serviceCidr: values['service-cidr'],
      });
      process.exit(code); // gRPC channels and timers must not keep a stopped daemon alive
      break;
    }
    case 'waypoint': {
      const [sub, ...args] = rest;
      if (sub === 'apply') return (await import('./commands/waypoint-apply.js')).waypointApplyCommand(args, { out, err });
      if (sub === 'list') return (await import('./commands/waypoint-list.js')).waypointListCommand(args, { out, err });
      if (sub !== 'run') {
        const { WAYPOINT_USAGE } = await import('./commands/waypoint-common.js');
        if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
          out(WAYPOINT_USAGE);
          return sub === undefined ? 2 : 0;
        }
        err(`ambit waypoint: unknown command ${JSON.stringify(sub)}\n${WAYPOINT_USAGE}`);
        return 2;
      }
      const env = process.env;
      const { values } = parseArgs({
        args,
        options: {
          namespace: { type: 'string', short: 'n', default: env.POD_NAMESPACE ?? '' },
          name: { type: 'string', default: '' },
          'service-account': { type: 'string', default: env.SERVICE_ACCOUNT ?? '' },
          node: { type: 'string', default: env.NODE_NAME ?? '' },
          controller: { type: 'string', default: env.AMBIT_CONTROLLER ?? '' },
          'root-cert': { type: 'string', default: env.AMBIT_ROOT_CERT ?? '' },
          'token-file': { type: 'string', default: env.AMBIT_TOKEN_FILE ?? '' },
          'cert-ttl': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      const { WAYPOINT_RUN_USAGE, waypointRunCommand } = await import('./commands/waypoint.js');
      if (values.help) {
        out(WAYPOINT_RUN_USAGE);
        return 0;
      }
      const code = await waypointRunCommand({
        namespace: values.namespace, name: values.name, serviceAccount: values['service-account'], node: values.node,
        controller: values.controller, rootCert: values['root-cert'], tokenFile: values['token-file'],
        certTtlSeconds: values['cert-ttl'] ? Number(values['cert-ttl']) : undefined,
      });
      process.exit(code); // gRPC channels and timers must not keep a stopped waypoint alive
      break;
    }
    case 'local':
      return (await import('./commands/local.js')).localCommand(rest, { out, err });
    case 'version':
      out('ambit 0.1.0');
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`ambit: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`ambit: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  process.exitCode = 1;
});
