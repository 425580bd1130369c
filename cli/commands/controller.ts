// `ambit controller`: runs the controller until SIGINT/SIGTERM.
import { createLogger } from '../../api/log.js';
import { Controller } from '../../controller/controller.js';
import { FileSource } from '../../controller/sources/file-source.js';
import type { ConfigSource } from '../../controller/sources/source.js';
import { KubeSource } from '../../controller/sources/kube/kube-source.js';
import { loadKubeConfig } from '../../controller/sources/kube/load-kube-config.js';
import { TokenReviewAuthenticator } from '../../controller/auth/token-review.js';

export interface ControllerCommandOptions {
  files: string[];
  kube: boolean;
  stateDir: string;
  grpcPort: number;
  httpPort: number;
  httpHost: string;
  nodes: string[];
  cacerts?: string;
  outboundTrafficPolicy?: string;
}

export async function controllerCommand(o: ControllerCommandOptions): Promise<number> {
  const log = createLogger('controller');
  const sources: ConfigSource[] = [];
  if (o.files.length > 0) sources.push(new FileSource({ paths: o.files, log }));
  let authenticator;
  if (o.kube) {
    const kc = loadKubeConfig();
    sources.push(new KubeSource({ kubeConfig: kc, logger: log }));
    authenticator = new TokenReviewAuthenticator({ kubeConfig: kc });
  }
  if (sources.length === 0) {
    process.stderr.write('ambit controller: give -f <dir> (local YAML) and/or --kube\n');
    return 2;
  }
  const controller = new Controller({
    stateDir: o.stateDir, sources, log, grpcPort: o.grpcPort, httpPort: o.httpPort, httpHost: o.httpHost, nodes: o.nodes,
    cacertsDir: o.cacerts, authenticator,
    mesh: o.outboundTrafficPolicy ? { outboundTrafficPolicy: o.outboundTrafficPolicy } : {},
  });
  await controller.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await controller.stop();
  return 0;
}
