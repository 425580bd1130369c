// `ambit demo [DIR]`: runs the real controller (validation, translation, discovery
// over gRPC+TLS, CA) in-process on the YAML in DIR, as if on a two-node cluster, and
// prints what it computed and what each node daemon received and was allowed to hold.
// (The node proxy and `ambit local` issues turn this into a running mesh.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../api/log.js';
import type { Authorization } from '../../api/model.js';
import { spiffeUri } from '../../api/identity.js';
import { Controller } from '../../controller/controller.js';
import { loadConfigPaths } from '../../controller/config/load-yaml.js';
import { tokenFile } from '../../controller/auth/bootstrap-tokens.js';
import { generateKeyAndCsr } from '../../controller/ca/index.js';
import { StaticSource } from '../../controller/sources/static-source.js';
import { formatFinding } from '../../controller/validation/finding.js';
import { analyzeObjects } from '../../controller/validation/analyze.js';
import { caClient, controllerCredentials, requestCertificate } from '../../daemon/controller-connection.js';
import { DiscoveryClient } from '../../daemon/state/discovery-client.js';
import { ProxyState } from '../../daemon/state/proxy-state.js';
import { ProxyStateUpdater } from '../../daemon/state/proxy-state-updater.js';
import { materialize } from '../local/materialize.js';
import { table } from '../table.js';

const NODES = ['node-1', 'node-2'];

function describeRules(a: Authorization): string {
  if (a.rules.length === 0) return 'no rules (matches nothing)';
  return a.rules.map((r) => r.clauses.length === 0 ? 'any' : `${r.clauses.length} clause(s)`).join(' | ');
}

export async function demoCommand(dir: string, out: (line: string) => void): Promise<number> {
  const loaded = await loadConfigPaths([dir]);
  const findings = [...loaded.findings, ...analyzeObjects(loaded.objects)];
  const objects = materialize(loaded.objects.map((o) => o.object), { nodes: NODES });
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-demo-'));
  const controller = new Controller({
    stateDir, sources: [new StaticSource(objects)], log: silentLogger(), grpcHost: '127.0.0.1', grpcPort: 0, httpPort: -1, nodes: NODES,
  });
  const clients: DiscoveryClient[] = [];
  try {
    await controller.start();
    const model = controller.model!;
    out(`Ambit controller on ${dir}: ${loaded.objects.length} resources read, pods scheduled on ${NODES.join(', ')}\n`);

    out('Configuration findings (ambit analyze):');
    out(findings.length === 0 ? '  none' : findings.map((f) => `  ${formatFinding(f)}`).join('\n'));
    for (const w of model.warnings) out(`  WARNING ${w}`);

    out('\nWorkloads:');
    out(table(['NAMESPACE', 'POD', 'IP', 'NODE', 'IDENTITY', 'MESH', 'SERVICES', 'POLICIES'], model.workloads.map((w) => [
      w.namespace, w.name, w.addresses.join(','), w.node,
      spiffeUri({ trustDomain: w.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount }),
      w.tunnelProtocol === 'HBONE' ? 'HBONE' : 'no',
      Object.entries(w.services).map(([k, v]) => `${k.split('/')[1]?.split('.')[0]}:${v.ports.map((p) => `${p.servicePort}->${p.targetPort}`).join(',')}`).join(' ') || '-',
      w.authorizationPolicies.join(',') || '-',
    ])));

    out('\nServices:');
    out(table(['HOSTNAME', 'VIP', 'PORTS', 'SOURCE'], model.services.map((s) => [
      s.hostname, s.addresses.join(',') || '-', s.ports.map((p) => `${p.servicePort}->${p.targetPort || p.name}`).join(','), s.sourceKind,
    ])));

    out('\nL4 authorization policies (as the node proxies will enforce them):');
    out(table(['POLICY', 'SCOPE', 'ACTION', 'RULES'], model.authorizations.map((a) => [`${a.namespace}/${a.name}`, a.scope, a.action, describeRules(a)])));

    out(`\nDiscovery over gRPC+TLS (127.0.0.1:${controller.grpcPort}) and the CA, as each node daemon sees them:`);
    const address = `127.0.0.1:${controller.grpcPort}`;
    const { credentials, channelOptions } = controllerCredentials(controller.rootCertPem);
    const ca = caClient(address, controller.rootCertPem);
    const rows: string[][] = [];
    for (const node of NODES) {
      const token = readFileSync(tokenFile(controller.tokenDir, node), 'utf8').trim();
      const state = new ProxyState();
      const client = new DiscoveryClient({ address, node, token: () => token, credentials, channelOptions, updater: new ProxyStateUpdater(state), log: silentLogger() });
      clients.push(client);
      const synced = new Promise<void>((resolve) => client.once('synced', resolve));
      client.start();
      await synced;
      const local = [...state.workloadsByUid.values()].filter((w) => w.node === node && w.tunnelProtocol === 'HBONE');
      const identities = [...new Set(local.map((w) => spiffeUri({ trustDomain: w.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount })))];
      const issued: string[] = [];
      for (const identity of identities) {
        const { csrPem } = generateKeyAndCsr(identity);
        const chain = await requestCertificate(ca, token, { csr: csrPem, identity });
        issued.push(`${identity.split('/').pop()} (chain of ${chain.length})`);
      }
      const foreign = [...state.workloadsByUid.values()].find((w) => w.node !== node && w.tunnelProtocol === 'HBONE' && !identities.includes(spiffeUri({ trustDomain: w.trustDomain, namespace: w.namespace, serviceAccount: w.serviceAccount })));
      let refusal = '-';
      if (foreign) {
        const identity = spiffeUri({ trustDomain: foreign.trustDomain, namespace: foreign.namespace, serviceAccount: foreign.serviceAccount });
        try {
          await requestCertificate(ca, token, { csr: generateKeyAndCsr(identity).csrPem, identity });
          refusal = `${identity}: ISSUED (unexpected)`;
        } catch (err) {
          const code = (err as { code?: number }).code;
          refusal = `${identity.split('/').pop()} refused (${code === undefined ? 'error' : grpc.status[code]})`;
        }
      }
      rows.push([node, `v${state.version}`, String(state.workloadsByUid.size), String(state.servicesByKey.size), String(state.policiesByKey.size), issued.join(', ') || '-', refusal]);
    }
    ca.close();
    out(table(['NODE', 'VERSION', 'WORKLOADS', 'SERVICES', 'POLICIES', 'CERTIFICATES ISSUED', 'OTHER NODE\'S IDENTITY'], rows));
    out('\nNext: `bin/ambit analyze -f <dir>` checks your own Istio YAML; `bin/ambit controller -f <dir>` runs the controller.');
    return 0;
  } finally {
    for (const c of clients) c.stop();
    await controller.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
