// A throwaway node/pod/remote topology in network namespaces for the privileged eBPF
// tests (root only). Nothing is created in the host namespace: every veth is created
// inside a lab namespace with its peer moved straight into another one.
//
//   pod1 (10.244.1.2/32) ─eth0═vp1─┐
//                                   node (10.99.0.1/24 on up0) ═ eth0 remote (10.99.0.2/24)
//   pod2 (10.244.1.3/32) ─eth0═vp2─┘
//
// Routed /32 veths (no bridge), Calico style: the pods' default gateway 169.254.1.1 is
// answered by the host side's fixed MAC; the node routes each pod IP to its veth. The
// node namespace also gets the policy routing the redirect program relies on.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const IPS = { node: '10.99.0.1', remote: '10.99.0.2', pod1: '10.244.1.2', pod2: '10.244.1.3' } as const;
export const MARK = 0x1;
const GATEWAY_MAC = 'ee:ee:ee:ee:ee:ee';

export interface ConnectOptions {
  timeoutMs?: number;
  /** Source address and port to bind (defaults: the kernel's choice). */
  localAddress?: string;
  localPort?: number;
}

export interface Lab {
  readonly id: string;
  /** Namespace names. */
  readonly ns: { node: string; pod1: string; pod2: string; remote: string };
  /** /run/netns/<name> */
  path(name: string): string;
  /** Runs a command inside a lab namespace. */
  exec(ns: string, cmd: string[], timeoutMs?: number): Promise<string>;
  /**
   * Connects from inside `ns` with a fresh Node process and returns what the server
   * said, or "ERROR <code>" / "TIMEOUT".
   */
  connect(ns: string, host: string, port: number, opts?: ConnectOptions): Promise<string>;
  /** Starts a long-running process in the host namespace; killed by destroy(). */
  spawn(cmd: string, args: string[]): ChildProcess;
  destroy(): Promise<void>;
}

export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message.trim()} ${stderr.trim()}`));
      else resolve(stdout);
    });
  });
}

const CLIENT = `
const net = require('node:net');
const [host, port, timeout, localAddress, localPort] = process.argv.slice(1);
const sock = net.connect({ host, port: Number(port), localAddress: localAddress || undefined, localPort: Number(localPort) || undefined });
let out = '';
sock.setTimeout(Number(timeout), () => { process.stdout.write('TIMEOUT'); process.exit(0); });
sock.on('data', (d) => { out += d; });
sock.on('end', () => { process.stdout.write(out.trim()); process.exit(0); });
sock.on('error', (e) => { process.stdout.write('ERROR ' + e.code); process.exit(0); });
`;

export async function createLab(): Promise<Lab> {
  const id = `ambit-t-${randomBytes(3).toString('hex')}`;
  const ns = { node: `${id}-node`, pod1: `${id}-pod1`, pod2: `${id}-pod2`, remote: `${id}-remote` };
  const created: string[] = [];
  const children = new Set<ChildProcess>();

  const ip = (...args: string[]): Promise<string> => run('ip', args);
  const exec = (name: string, cmd: string[], timeoutMs?: number): Promise<string> =>
    run('ip', ['netns', 'exec', name, ...cmd], timeoutMs);

  const lab: Lab = {
    id,
    ns,
    path: (name) => `/run/netns/${name}`,
    exec,
    connect: (name, host, port, { timeoutMs = 2000, localAddress = '', localPort = 0 } = {}) =>
      exec(name, [process.execPath, '-e', CLIENT, host, String(port), String(timeoutMs), localAddress, String(localPort)], timeoutMs + 5000),
    spawn: (cmd, args) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    destroy: async () => {
      for (const child of children) child.kill('SIGKILL');
      for (const name of created.reverse()) await ip('netns', 'del', name).catch(() => undefined);
    },
  };

  try {
    for (const name of Object.values(ns)) {
      await ip('netns', 'add', name);
      created.push(name);
      await ip('-n', name, 'link', 'set', 'lo', 'up');
    }
    // Node: a router; IPv4 settings of a new namespace are inherited from the host, so
    // set the ones that matter explicitly.
    await exec(ns.node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    await ip('-n', ns.node, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.remote);
    await ip('-n', ns.node, 'addr', 'add', `${IPS.node}/24`, 'dev', 'up0');
    await ip('-n', ns.node, 'link', 'set', 'up0', 'up');
    await ip('-n', ns.remote, 'addr', 'add', `${IPS.remote}/24`, 'dev', 'eth0');
    await ip('-n', ns.remote, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns.remote, 'route', 'add', '10.244.0.0/16', 'via', IPS.node);

    const pods: [string, string, string, string][] = [[ns.pod1, 'vp1', IPS.pod1, '02:00:0a:f4:01:02'], [ns.pod2, 'vp2', IPS.pod2, '02:00:0a:f4:01:03']];
    for (const [pod, veth, addr, mac] of pods) {
      await ip('-n', ns.node, 'link', 'add', veth, 'address', GATEWAY_MAC, 'type', 'veth', 'peer', 'name', 'eth0', 'address', mac, 'netns', pod);
      await ip('-n', ns.node, 'link', 'set', veth, 'up');
      await ip('-n', ns.node, 'route', 'add', `${addr}/32`, 'dev', veth, 'scope', 'link');
      await ip('-n', ns.node, 'neigh', 'add', addr, 'lladdr', mac, 'dev', veth, 'nud', 'permanent');
      await ip('-n', pod, 'addr', 'add', `${addr}/32`, 'dev', 'eth0');
      await ip('-n', pod, 'link', 'set', 'eth0', 'up');
      await ip('-n', pod, 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link');
      await ip('-n', pod, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
      await ip('-n', pod, 'neigh', 'add', '169.254.1.1', 'lladdr', GATEWAY_MAC, 'dev', 'eth0', 'nud', 'permanent');
    }
    // Packets the program marks (they carry a proxy socket) are delivered locally.
    await ip('-n', ns.node, 'rule', 'add', 'fwmark', `${MARK}/${MARK}`, 'lookup', '100');
    await ip('-n', ns.node, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100');
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}
