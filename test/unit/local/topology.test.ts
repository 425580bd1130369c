// applyTopology / teardown against a fake `ip` (no privileges needed): every resource is
// recorded before it is created, re-applying is idempotent, teardown deletes exactly the
// recorded resources and copes with crashes and resources already gone.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import type { IpRunner } from '../../../cli/local/ip.js';
import { readTopologyState, writeTopologyState } from '../../../cli/local/state.js';
import { applyTopology, teardown } from '../../../cli/local/topology.js';
import { planTopology, podHostVeth, resourceKey, resourcesOf, type PlanInput } from '../../../cli/local/topology-plan.js';

/** A pretend kernel: namespaces with their links, veth peers, and a log of calls. */
class FakeNet {
  readonly netns = new Map<string, Set<string>>();
  readonly peers = new Map<string, string>();
  readonly calls: string[] = [];
  failOn?: (args: readonly string[]) => boolean;
  beforeCreate?: (what: string) => void;

  constructor(...existing: string[]) {
    for (const n of existing) this.netns.set(n, new Set(['lo']));
  }

  private links(ns: string): Set<string> {
    const l = this.netns.get(ns);
    if (!l) throw new Error(`Cannot open network namespace "${ns}": No such file or directory`);
    return l;
  }

  private delLink(ns: string, name: string): void {
    this.netns.get(ns)?.delete(name);
    const peer = this.peers.get(`${ns}/${name}`);
    if (peer) {
      const [pns, pname] = peer.split('/') as [string, string];
      this.netns.get(pns)?.delete(pname);
      this.peers.delete(peer);
      this.peers.delete(`${ns}/${name}`);
    }
  }

  readonly run: IpRunner = async (args) => {
    await Promise.resolve();
    this.calls.push(args.join(' '));
    if (this.failOn?.(args)) throw new Error(`injected failure: ${args.join(' ')}`);
    const [a0, a1, a2] = args;
    if (a0 === 'netns') {
      if (a1 === 'list') return [...this.netns.keys()].map((n) => `${n} (id: 1)`).join('\n');
      if (a1 === 'add') {
        this.beforeCreate?.(`netns ${a2}`);
        if (this.netns.has(a2!)) throw new Error('File exists');
        this.netns.set(a2!, new Set(['lo']));
        return '';
      }
      if (a1 === 'del') {
        for (const l of [...this.links(a2!)]) this.delLink(a2!, l);
        this.netns.delete(a2!);
        return '';
      }
      if (a1 === 'exec') { this.links(a2!); return ''; }
      if (a1 === 'pids') { this.links(a2!); return ''; }
    }
    if (a0 === '-n') {
      const ns = a1!;
      const links = this.links(ns);
      const [verb, action] = [args[2], args[3]];
      if (verb === 'link' && action === 'show') {
        if (!links.has(args[5]!)) throw new Error(`Device "${args[5]}" does not exist.`);
        return `${args[5]}: <UP>`;
      }
      if (verb === 'link' && action === 'add') {
        const name = args[4]!;
        this.beforeCreate?.(`link ${ns} ${name}`);
        if (links.has(name)) throw new Error('File exists');
        links.add(name);
        if (args[6] === 'veth') {
          const peerName = args[9]!;
          const peerNs = args[11]!;
          this.links(peerNs).add(peerName);
          this.peers.set(`${ns}/${name}`, `${peerNs}/${peerName}`);
          this.peers.set(`${peerNs}/${peerName}`, `${ns}/${name}`);
        }
        return '';
      }
      if (verb === 'link' && action === 'del') {
        if (!links.has(args[4]!)) throw new Error('Cannot find device');
        this.delLink(ns, args[4]!);
        return '';
      }
      return '';
    }
    throw new Error(`fake ip: unsupported ${args.join(' ')}`);
  };
}

const input: PlanInput = {
  cluster: 'demo',
  nodes: ['node-1', 'node-2'],
  pods: [
    { namespace: 'default', name: 'a', node: 'node-1', ip: '10.244.1.2', etc: { hosts: '10.96.0.10\thttpbin\n', 'resolv.conf': 'search x\n' } },
    { namespace: 'default', name: 'b', node: 'node-2', ip: '10.244.2.2', etc: { hosts: 'b\n' } },
  ],
};

function dirs(t: { teardown(fn: () => void): void }): { stateDir: string; etcNetnsDir: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ambit-local-unit-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return { stateDir: path.join(root, 'state'), etcNetnsDir: path.join(root, 'etc-netns') };
}

test('apply records each resource before creating it, then creates everything', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet('ambit-t-other', 'unrelated');
  const plan = planTopology(input);
  const checked: string[] = [];
  net.beforeCreate = (what) => {
    const recorded = new Set((readTopologyState(stateDir)?.resources ?? []).map(resourceKey));
    t.true(recorded.has(what), `not recorded before creation: ${what}`);
    checked.push(what);
  };
  const result = await applyTopology(plan, stateDir, { ip: net.run, etcNetnsDir });
  t.is(checked.length, resourcesOf(plan).filter((r) => r.kind !== 'etc').length);
  t.deepEqual(readTopologyState(stateDir)!.resources, resourcesOf(plan));
  t.deepEqual(result.created, resourcesOf(plan));
  t.deepEqual([...net.netns.keys()].sort(), ['ambit-demo-default-a', 'ambit-demo-default-b', 'ambit-demo-fabric', 'ambit-demo-node-1', 'ambit-demo-node-2', 'ambit-t-other', 'unrelated']);
  t.deepEqual([...net.netns.get('ambit-demo-node-1')!].sort(), ['eth0', 'lo', podHostVeth('default', 'a')].sort());
  t.deepEqual([...net.netns.get('ambit-demo-fabric')!].sort(), ['br0', 'lo', 'node-1', 'node-2']);
  t.is(readFileSync(path.join(etcNetnsDir, 'ambit-demo-default-a', 'hosts'), 'utf8'), '10.96.0.10\thttpbin\n');
  t.is(readFileSync(path.join(etcNetnsDir, 'ambit-demo-default-a', 'resolv.conf'), 'utf8'), 'search x\n');
  // nothing ever addressed to the host netns
  t.true(net.calls.every((c) => c.startsWith('-n ambit-demo-') || c.startsWith('netns ')));
});

test('apply is idempotent and grows with the plan', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet();
  await applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir });
  net.calls.length = 0;
  const again = await applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir });
  t.false(net.calls.some((c) => / add /.test(` ${c} `)), 'nothing re-created');
  t.is(again.created.filter((r) => r.kind !== 'etc').length, 0);
  const bigger = { ...input, pods: [...input.pods, { namespace: 'default', name: 'c', node: 'node-2', ip: '10.244.2.3' }] };
  const grown = await applyTopology(planTopology(bigger), stateDir, { ip: net.run, etcNetnsDir });
  t.deepEqual(grown.created.filter((r) => r.kind !== 'etc').map(resourceKey), ['netns ambit-demo-default-c', `link ambit-demo-node-2 ${podHostVeth('default', 'c')}`]);
  t.is(readTopologyState(stateDir)!.resources.length, resourcesOf(planTopology(bigger)).length);
});

test('apply refuses a name that exists but is not recorded, and a state dir of another cluster', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet('ambit-demo-node-2');
  const err = await t.throwsAsync(applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir }));
  t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_TOPOLOGY'));
  t.regex(err?.message ?? '', /netns ambit-demo-node-2 already exists but was not created by this runtime/);
  t.false(readTopologyState(stateDir)!.resources.some((r) => r.kind === 'netns' && r.name === 'ambit-demo-node-2'));
  // teardown of what was made leaves the foreign namespace alone
  await teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0 });
  t.deepEqual([...net.netns.keys()], ['ambit-demo-node-2']);

  const other = dirs(t);
  writeTopologyState(other.stateDir, { version: 1, cluster: 'prod', resources: [] });
  const err2 = await t.throwsAsync(applyTopology(planTopology(input), other.stateDir, { ip: new FakeNet().run, etcNetnsDir }));
  t.regex(err2?.message ?? '', /belongs to cluster "prod"/);
});

test('teardown deletes exactly the recorded resources, in reverse, and removes the state dir', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet('ambit-t-other', 'unrelated');
  await applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir });
  net.calls.length = 0;
  const result = await teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0 });
  t.deepEqual([...net.netns.keys()].sort(), ['ambit-t-other', 'unrelated']);
  t.false(existsSync(stateDir));
  t.false(existsSync(path.join(etcNetnsDir, 'ambit-demo-default-a')));
  t.is(result.alreadyGone.length, 0);
  t.is(result.deleted.at(-1), 'ip netns del ambit-demo-fabric');
  t.false(net.calls.some((c) => c.includes('ambit-t-other') || c.includes('unrelated')));
});

test('teardown after a crash midway through apply, with resources recorded but never created or already gone', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet();
  net.failOn = (args) => args.join(' ').startsWith('-n ambit-demo-node-2 link add eth0');
  await t.throwsAsync(applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir }), { message: /injected failure/ });
  net.failOn = undefined;
  const recorded = readTopologyState(stateDir)!.resources.map(resourceKey);
  t.true(recorded.includes('link ambit-demo-node-2 eth0'), 'recorded although creation failed');
  net.netns.delete('ambit-demo-node-1'); // someone deleted it already
  const result = await teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0 });
  t.is(net.netns.size, 0);
  t.true(result.alreadyGone.includes('ip netns del ambit-demo-node-1'));
  t.true(result.alreadyGone.includes('ip -n ambit-demo-node-2 link del eth0'));
  t.false(existsSync(stateDir));
  // a second teardown has nothing to do
  t.deepEqual(await teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0 }), { deleted: [], alreadyGone: [], stopped: [] });
});

test('teardown refuses recorded names outside the cluster and keeps the state for a retry', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet('ambit-t-x', 'ambit-demo-fabric');
  writeTopologyState(stateDir, { version: 1, cluster: 'demo', resources: [{ kind: 'netns', name: 'ambit-demo-fabric' }, { kind: 'netns', name: 'ambit-t-x' }] });
  const err = await t.throwsAsync(teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0 }));
  t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_RUNTIME'));
  t.regex(err?.message ?? '', /refusing to delete ambit-t-x/);
  t.deepEqual([...net.netns.keys()], ['ambit-t-x']);
  t.deepEqual(readTopologyState(stateDir)!.resources, [{ kind: 'netns', name: 'ambit-t-x' }]);
});

test('teardown of some namespaces only (deleting a pod) keeps the rest', async (t) => {
  const { stateDir, etcNetnsDir } = dirs(t);
  const net = new FakeNet();
  await applyTopology(planTopology(input), stateDir, { ip: net.run, etcNetnsDir });
  await teardown(stateDir, { ip: net.run, etcNetnsDir, graceMs: 0, onlyNetns: new Set(['ambit-demo-default-b']) });
  t.false(net.netns.has('ambit-demo-default-b'));
  t.false(net.netns.get('ambit-demo-node-2')!.has(podHostVeth('default', 'b')));
  t.true(net.netns.has('ambit-demo-default-a'));
  t.false(existsSync(path.join(etcNetnsDir, 'ambit-demo-default-b')));
  t.true(existsSync(path.join(etcNetnsDir, 'ambit-demo-default-a')));
  const left = readTopologyState(stateDir)!.resources.map(resourceKey);
  t.false(left.some((k) => k.includes('default-b')));
  t.false(left.includes(`link ambit-demo-node-2 ${podHostVeth('default', 'b')}`));
  t.true(left.includes('netns ambit-demo-default-a'));
});
