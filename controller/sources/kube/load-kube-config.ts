// Builds the KubeConfig the controller talks to the API server with: the pod's service
// account when running in a cluster, else $KUBECONFIG or ~/.kube/config.
import { KubeConfig } from '@kubernetes/client-node';
import { AmbitError } from '../../../api/errors.js';

export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig file; wins over in-cluster and $KUBECONFIG. */
  kubeconfigPath?: string;
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfigPath) {
      kc.loadFromFile(options.kubeconfigPath);
    } else if (process.env.KUBERNETES_SERVICE_HOST) {
      // Reads the projected token file on every request, so token rotation is picked up.
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    throw new AmbitError('AMBIT_ERR_CONFIG', `cannot load Kubernetes client configuration: ${(err as Error).message}`, { cause: err });
  }
  if (!kc.getCurrentCluster()) {
    throw new AmbitError('AMBIT_ERR_CONFIG', 'Kubernetes client configuration has no current cluster');
  }
  return kc;
}
