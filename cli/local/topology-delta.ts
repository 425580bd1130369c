// The part of a full topology plan that adds some pods to a running cluster: their
// namespaces, links, addresses and routes, plus the /etc/netns files of every pod (so
// that all pods see Services that appeared or vanished). Everything else in the plan
// (fabric, nodes, pods already there) exists already and is left out, which keeps a
// reconcile to a handful of `ip` calls. Pure.
import type { TopologyOp, TopologyPlan } from './topology-plan.js';

function linkOf(op: TopologyOp): string | undefined {
  switch (op.op) {
    case 'veth-add':
    case 'link-up':
      return op.name;
    case 'addr-add':
    case 'route-add':
      return op.dev;
    default:
      return undefined;
  }
}

/** The operations of `plan` that create the pods `added` ("<namespace>/<name>"), and every etc-write, in plan order. */
export function podDeltaOps(plan: Pick<TopologyPlan, 'ops' | 'pods' | 'nodes'>, added: ReadonlySet<string>): TopologyOp[] {
  const pods = plan.pods.filter((p) => added.has(`${p.namespace}/${p.name}`));
  const podNetns = new Set(pods.map((p) => p.netns));
  const nodeLinks = new Set<string>();
  for (const p of pods) {
    const node = plan.nodes.find((n) => n.name === p.node);
    if (node) nodeLinks.add(`${node.netns} ${p.hostVeth}`);
  }
  return plan.ops.filter((op) => {
    if (op.op === 'etc-write' || podNetns.has(op.netns)) return true;
    const link = linkOf(op);
    return link !== undefined && nodeLinks.has(`${op.netns} ${link}`);
  });
}
