// Proof that the redirect program captures enrolled pods' TCP traffic transparently, on
// this kernel, with real namespaces, veths, sockets and clients (root only).
//
// Each test builds its own lab (test/privileged/netns-lab.ts): a node namespace routing
// two pods (/32 veths) and an uplink to a "remote" namespace. The node runs three
// transparent listeners (outbound 15001, inbound plaintext 15006, HBONE 15008) that
// answer "<kind> <local address:port> from <peer ip>": the local address of an accepted
// socket IS the connection's original destination. The remote and pod1 run ordinary
// servers that answer "<who> ..." so an uncaptured connection is recognisable.
//
// Not root: skipped, except with CI=true where it fails.
import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  attachIngress, interfaceIndex, loadRedirectProgram, nativeAddonStatus, plainListener, transparentListener,
  type AttachedProgram, type AttachMode, type ListenerKind, type RedirectProgram,
} from '../../native/lib/index.js';
import { createLab, IPS, MARK, run, type Lab } from './netns-lab.js';

const PORTS: Record<ListenerKind, number> = { outbound: 15001, 'inbound-plaintext': 15006, hbone: 15008 };
const NOWHERE = '203.0.113.9'; // exists nowhere: only a capture can answer

const isRoot = process.getuid?.() === 0;
const ci = process.env.CI === 'true';

/** Cleanup stack run once, in reverse order, even when the test fails. */
function cleanup(t: ExecutionContext): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.teardown(async () => {
    for (const fn of stack.reverse()) {
      try {
        await fn();
      } catch (err) {
        t.log(`cleanup: ${(err as Error).message}`);
      }
    }
  });
  return (fn) => stack.push(fn);
}

function serve(fd: number, label: string): Promise<net.Server> {
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sock.end(`${label} ${sock.localAddress}:${sock.localPort} from ${sock.remoteAddress}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Node {
  lab: Lab;
  program: RedirectProgram;
  attachments: AttachedProgram[];
}

/** Lab + program + listeners + attachments on vp1, vp2 (pod1 enrolled, pod2 not) and up0. */
async function setUp(t: ExecutionContext, mode: AttachMode): Promise<Node> {
  const defer = cleanup(t);
  const lab = await createLab();
  defer(() => lab.destroy());
  const nodeNs = lab.path(lab.ns.node);

  const program = loadRedirectProgram();
  defer(() => program.close());
  program.configure({ nodeIp: IPS.node, mark: MARK });
  for (const [kind, port] of Object.entries(PORTS) as [ListenerKind, number][]) {
    const fd = transparentListener('0.0.0.0', port, { netns: nodeNs });
    const server = await serve(fd, kind); // the server now owns the fd (closing it empties the sockmap slot)
    defer(() => close(server));
    program.setListener(kind, fd);
  }
  for (const port of [8080, 15008]) {
    const remote = await serve(plainListener(IPS.remote, port, { netns: lab.path(lab.ns.remote) }), 'remote-app');
    defer(() => close(remote));
    const pod1 = await serve(plainListener(IPS.pod1, port, { netns: lab.path(lab.ns.pod1) }), 'pod1-app');
    defer(() => close(pod1));
  }

  const attachments: AttachedProgram[] = [];
  for (const [target, prog] of [['vp1', program.podIngress], ['vp2', program.podIngress], ['up0', program.uplinkIngress]] as const) {
    const a = attachIngress(target, prog, { mode, netns: nodeNs });
    defer(() => a.detach());
    attachments.push(a);
  }
  program.enrolledPods.add(IPS.pod1, { ifindex: interfaceIndex('vp1', { netns: nodeNs }) });
  return { lab, program, attachments };
}

/** The kernel id of a BPF program fd held by process `pid` (from /proc/PID/fdinfo). */
function progId(pid: number | 'self', fd: number): number {
  const m = /^prog_id:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
  if (!m) throw new Error(`fd ${fd} of ${pid} is not a BPF program`);
  return Number(m[1]);
}

/** How many BPF links (tcx links among them) point at program `id`. */
async function linksTo(id: number): Promise<number> {
  const links = JSON.parse(await run('bpftool', ['-j', 'link', 'show'])) as { prog_id?: number }[];
  return links.filter((l) => l.prog_id === id).length;
}

async function noNatRules(t: ExecutionContext, lab: Lab): Promise<void> {
  for (const name of Object.values(lab.ns)) {
    const ipt = await lab.exec(name, ['iptables-save']);
    t.false(/^-A |TPROXY|REDIRECT|DNAT/m.test(ipt), `iptables rules in ${name}:\n${ipt}`);
    const nft = (await lab.exec(name, ['nft', 'list', 'ruleset'])).trim();
    t.is(nft, '', `nftables rules in ${name}`);
  }
  // And nothing of ours on the host.
  const host = `${await run('iptables-save', [])}\n${await run('nft', ['list', 'ruleset'])}`;
  t.false(/ambit|1500[168]/i.test(host), 'the host ruleset mentions ambit or a capture port');
}

if (!isRoot) {
  // Never skipped: `make test` runs as root (it installs packages); without root this fails, saying why.
  test('privileged eBPF capture (needs root)', (t) => t.fail(`test/privileged needs root${ci ? ' (CI=true)' : ''}: run make test as root`));
} else {
  test.before((t) => {
    const status = nativeAddonStatus();
    if (!status.available) t.fail(status.reason);
    for (const tool of ['iptables-save', 'nft']) {
      if (!['/usr/sbin', '/sbin', '/usr/bin'].some((d) => existsSync(`${d}/${tool}`))) t.fail(`${tool} is needed (apt-get install iptables nftables)`);
    }
  });

  for (const mode of ['tcx', 'netlink'] as const) {
    test.serial(`${mode}: enrolled pod traffic is captured with its original destination, and only it`, async (t) => {
      t.timeout(60_000);
      const { lab, program, attachments } = await setUp(t, mode);
      t.true(attachments.every((a) => a.mode === mode));
      const { node, pod1, pod2, remote } = lab.ns;
      const stats0 = program.stats();

      // Outbound: pod1 → remote app, and → an address that exists nowhere.
      t.is(await lab.connect(pod1, IPS.remote, 8080), `outbound ${IPS.remote}:8080 from ${IPS.pod1}`);
      t.is(await lab.connect(pod1, NOWHERE, 443), `outbound ${NOWHERE}:443 from ${IPS.pod1}`);
      // Inbound from another node: HBONE port → HBONE listener; any other → plaintext.
      t.is(await lab.connect(remote, IPS.pod1, 15008), `hbone ${IPS.pod1}:15008 from ${IPS.remote}`);
      t.is(await lab.connect(remote, IPS.pod1, 8080), `inbound-plaintext ${IPS.pod1}:8080 from ${IPS.remote}`);
      // Un-enrolled pod2: its own traffic is not captured...
      t.is(await lab.connect(pod2, IPS.remote, 8080), `remote-app ${IPS.remote}:8080 from ${IPS.pod2}`);
      // ...but its connection to enrolled pod1 is (inbound capture on the same node).
      t.is(await lab.connect(pod2, IPS.pod1, 8080), `inbound-plaintext ${IPS.pod1}:8080 from ${IPS.pod2}`);
      // Addressed to the node IP: never captured (nothing listens on 9999 there).
      t.is(await lab.connect(pod1, IPS.node, 9999), 'ERROR ECONNREFUSED');

      // The same tuple twice: the proxy side closed first and holds the tuple in
      // TIME_WAIT; the fresh SYN must still reach the listener, and quickly (under the
      // 1 s SYN retransmission timeout: see bpf/redirect.bpf.c on TIME_WAIT).
      for (let i = 0; i < 2; i++) {
        t.is(await lab.connect(pod1, NOWHERE, 80, { localPort: 40123, timeoutMs: 900 }), `outbound ${NOWHERE}:80 from ${IPS.pod1}`);
      }
      t.regex(await lab.exec(node, ['ss', '-Htan', 'state', 'time-wait']), new RegExp(`${NOWHERE}:80\\s+${IPS.pod1}:40123`));
      // pod2 borrowing pod1's address: dropped (wrong interface for an enrolled source).
      await lab.exec(pod2, ['ip', 'addr', 'add', `${IPS.pod1}/32`, 'dev', 'eth0']);
      t.is(await lab.connect(pod2, IPS.remote, 8080, { localAddress: IPS.pod1, timeoutMs: 1000 }), 'TIMEOUT');
      await lab.exec(pod2, ['ip', 'addr', 'del', `${IPS.pod1}/32`, 'dev', 'eth0']);

      const stats1 = program.stats();
      t.is(stats1.outboundSyn - stats0.outboundSyn, 4n);
      t.true(stats1.spoofed - stats0.spoofed >= 1n, 'the spoofed SYN (and its retransmissions) were counted');
      t.is(stats1.hboneSyn - stats0.hboneSyn, 1n);
      t.is(stats1.inboundSyn - stats0.inboundSyn, 2n);
      t.true(stats1.existing > stats0.existing, 'established packets were assigned to proxy sockets');

      // Un-enrolled: pod1 talks to the real remote app, and the remote reaches pod1's app.
      t.true(program.enrolledPods.remove(IPS.pod1));
      t.is(await lab.connect(pod1, IPS.remote, 8080), `remote-app ${IPS.remote}:8080 from ${IPS.pod1}`);
      t.is(await lab.connect(remote, IPS.pod1, 15008), `pod1-app ${IPS.pod1}:15008 from ${IPS.remote}`);
      program.enrolledPods.add(IPS.pod1, { ifindex: interfaceIndex('vp1', { netns: lab.path(node) }) });
      t.deepEqual(program.enrolledPods.list().map((p) => p.ip), [IPS.pod1]);
      t.is(await lab.connect(pod1, IPS.remote, 8080), `outbound ${IPS.remote}:8080 from ${IPS.pod1}`);

      const podProg = progId('self', program.podIngress.fd);
      const uplinkProg = progId('self', program.uplinkIngress.fd);
      if (mode === 'tcx') {
        t.is(await linksTo(podProg), 2);
        t.is(await linksTo(uplinkProg), 1);
      } else {
        t.regex(await lab.exec(node, ['tc', 'filter', 'show', 'dev', 'vp1', 'ingress']), new RegExp(`direct-action .* id ${podProg} `));
        t.regex(await lab.exec(node, ['tc', 'filter', 'show', 'dev', 'up0', 'ingress']), new RegExp(`direct-action .* id ${uplinkProg} `));
      }

      // Detached: nothing is captured any more.
      for (const a of attachments) a.detach();
      const stats2 = program.stats();
      t.is(await lab.connect(pod1, IPS.remote, 8080), `remote-app ${IPS.remote}:8080 from ${IPS.pod1}`);
      t.is(await lab.connect(remote, IPS.pod1, 15008), `pod1-app ${IPS.pod1}:15008 from ${IPS.remote}`);
      t.is(await lab.connect(remote, IPS.pod1, 8080), `pod1-app ${IPS.pod1}:8080 from ${IPS.remote}`);
      t.regex(await lab.connect(pod1, NOWHERE, 443, { timeoutMs: 1000 }), /^(ERROR E(HOST|NET)UNREACH|TIMEOUT)$/);
      t.deepEqual(program.stats(), stats2);
      if (mode === 'netlink') {
        for (const dev of ['vp1', 'vp2', 'up0']) t.is((await lab.exec(node, ['tc', 'filter', 'show', 'dev', dev, 'ingress'])).trim(), '');
      } else {
        t.is(await linksTo(podProg) + await linksTo(uplinkProg), 0);
      }

      await noNatRules(t, lab);
    });
  }

  // Other tcx programs on the same device (another CNI's, or a second daemon during a
  // hand-over) still see what ours does not take: it returns TCX_NEXT, not TCX_PASS.
  test.serial('tcx: a program attached after ours still sees the packets ours leaves alone', async (t) => {
    t.timeout(60_000);
    const { lab } = await setUp(t, 'tcx');
    const defer = cleanup(t);
    const nodeNs = lab.path(lab.ns.node);
    const second = loadRedirectProgram();
    defer(() => second.close());
    second.configure({ nodeIp: IPS.node, mark: MARK });
    for (const [kind, port] of Object.entries(PORTS) as [ListenerKind, number][]) {
      const fd = transparentListener('0.0.0.0', port + 1000, { netns: nodeNs });
      const server = await serve(fd, `second-${kind}`);
      defer(() => close(server));
      second.setListener(kind, fd);
    }
    for (const dev of ['vp1', 'vp2']) {
      const a = attachIngress(dev, second.podIngress, { mode: 'tcx', netns: nodeNs });
      defer(() => a.detach());
    }
    second.enrolledPods.add(IPS.pod1, { ifindex: interfaceIndex('vp1', { netns: nodeNs }) });
    second.enrolledPods.add(IPS.pod2, { ifindex: interfaceIndex('vp2', { netns: nodeNs }) });
    // pod2 is not ours: the second program gets it.
    t.is(await lab.connect(lab.ns.pod2, IPS.remote, 8080), `second-outbound ${IPS.remote}:8080 from ${IPS.pod2}`);
    // pod1 is ours, and ours runs first: the second program never sees its new connections.
    t.is(await lab.connect(lab.ns.pod1, IPS.remote, 8080), `outbound ${IPS.remote}:8080 from ${IPS.pod1}`);
    t.is(second.stats().outboundSyn, 1n);
  });

  // What happens when the daemon dies: tcx links die with their process (fail-open),
  // netlink filters stay and, with no listener left, drop new connections (fail-closed).
  for (const mode of ['tcx', 'netlink'] as const) {
    test.serial(`${mode}: when the attaching process dies, capture ${mode === 'tcx' ? 'stops (fail-open)' : 'fails closed'}`, async (t) => {
      t.timeout(60_000);
      const defer = cleanup(t);
      const lab = await createLab();
      defer(() => lab.destroy());
      const { node, pod1 } = lab.ns;
      const server = await serve(plainListener(IPS.remote, 8080, { netns: lab.path(lab.ns.remote) }), 'remote-app');
      defer(() => close(server));

      const daemon = lab.spawn(process.execPath, ['--input-type=module', '-e', DAEMON, fileURLToPath(new URL('../../native/lib/index.js', import.meta.url)), lab.path(node), mode]);
      let output = '';
      daemon.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
      await new Promise<void>((resolve, reject) => {
        daemon.stdout?.on('data', (d: Buffer) => { output += d.toString(); if (/READY \d+\n/.test(output)) resolve(); });
        daemon.once('exit', (code) => reject(new Error(`daemon exited (${code}): ${output}`)));
      });
      t.is(await lab.connect(pod1, IPS.remote, 8080), `outbound ${IPS.remote}:8080 from ${IPS.pod1}`);
      const id = progId(daemon.pid!, Number(/READY (\d+)/.exec(output)![1]));
      if (mode === 'tcx') t.is(await linksTo(id), 1);

      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGKILL');
      await exited;

      const filters = (await lab.exec(node, ['tc', 'filter', 'show', 'dev', 'vp1', 'ingress'])).trim();
      if (mode === 'tcx') {
        t.is(filters, '');
        t.is(await linksTo(id), 0);
        t.is(await lab.connect(pod1, IPS.remote, 8080), `remote-app ${IPS.remote}:8080 from ${IPS.pod1}`);
      } else {
        t.regex(filters, new RegExp(`direct-action .* id ${id} `));
        t.is(await lab.connect(pod1, IPS.remote, 8080, { timeoutMs: 1500 }), 'TIMEOUT');
        // Un-stuck by deleting the filter (what a restarting daemon does by replacing it).
        await lab.exec(node, ['tc', 'filter', 'del', 'dev', 'vp1', 'ingress']);
        t.is(await lab.connect(pod1, IPS.remote, 8080), `remote-app ${IPS.remote}:8080 from ${IPS.pod1}`);
      }
    });
  }
}

// A minimal daemon in its own process: listener, program, attach, enrol; then waits.
const DAEMON = `
import net from 'node:net';
const [lib, netns, mode] = process.argv.slice(1);
const m = await import(lib);
const fd = m.transparentListener('0.0.0.0', 15001, { netns });
const server = net.createServer((s) => s.end('outbound ' + s.localAddress + ':' + s.localPort + ' from ' + s.remoteAddress + '\\n'));
await new Promise((r) => server.listen({ fd }, r));
const p = m.loadRedirectProgram();
p.configure({ nodeIp: '${IPS.node}', mark: ${MARK} });
p.setListener('outbound', fd);
m.attachIngress('vp1', p.podIngress, { mode, netns });
p.enrolledPods.add('${IPS.pod1}', { ifindex: m.interfaceIndex('vp1', { netns }) });
process.stdout.write('READY ' + p.podIngress.fd + '\\n');
setInterval(() => {}, 1000);
`;
