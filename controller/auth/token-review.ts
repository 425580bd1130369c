// Authenticates callers by their bound service-account token: the API server's
// TokenReview says who the token belongs to, and a token projected into a pod carries
// the node it runs on (and the pod's name and uid).
// - The node daemon's service account → a node caller (identities of pods on its node).
// - Any other service account → a workload caller (a waypoint pod): only its own
//   identity, and a discovery stream for its node.
// Both need the node-name claim (Kubernetes ≥ 1.30 puts it in pod-bound tokens).
import { AuthenticationV1Api, type KubeConfig, type V1TokenReview } from '@kubernetes/client-node';
import { AmbitError } from '../../api/errors.js';
import type { Authenticator, CallerIdentity } from './authenticator.js';

export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';
const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

export interface TokenReviewAuthenticatorOptions {
  kubeConfig: KubeConfig;
  /** Audiences the token must be valid for; default ["istio-ca"]. Empty = the API server's own. */
  audiences?: readonly string[];
  /**
   * The node daemon's service account, "<namespace>/<name>"; default
   * "istio-system/ambit-node". Its tokens make node callers, other accounts' workload callers.
   */
  daemonServiceAccount?: string;
}

function refuse(reason: string, cause?: unknown): AmbitError {
  return new AmbitError('AMBIT_ERR_UNAUTHENTICATED', `token refused: ${reason}`, cause === undefined ? undefined : { cause });
}

export class TokenReviewAuthenticator implements Authenticator {
  private readonly api: AuthenticationV1Api;
  private readonly audiences: string[];
  private readonly expectedUser: string;

  constructor(options: TokenReviewAuthenticatorOptions) {
    this.api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.audiences = [...(options.audiences ?? ['istio-ca'])];
    const sa = options.daemonServiceAccount ?? 'istio-system/ambit-node';
    const [ns, name, ...rest] = sa.split('/');
    if (!ns || !name || rest.length > 0) {
      throw new AmbitError('AMBIT_ERR_CONFIG', `daemon service account must be "<namespace>/<name>", got "${sa}"`);
    }
    this.expectedUser = `system:serviceaccount:${ns}:${name}`;
  }

  /** Who the token belongs to and the node its pod runs on; throws AMBIT_ERR_UNAUTHENTICATED otherwise. */
  async authenticate(token: string): Promise<CallerIdentity> {
    if (token.trim() === '') throw refuse('empty token');
    const body: V1TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(this.audiences.length > 0 ? { audiences: this.audiences } : {}) },
    };
    let review: V1TokenReview;
    try {
      review = await this.api.createTokenReview({ body });
    } catch (err) {
      throw refuse(`TokenReview request failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    const status = review.status;
    if (status?.authenticated !== true) {
      throw refuse(status?.error ? `not authenticated: ${status.error}` : 'not authenticated');
    }
    const username = status.user?.username ?? '';
    const account = username === this.expectedUser ? undefined : SERVICE_ACCOUNT_USER.exec(username);
    if (account === null) {
      throw refuse(`user "${username}" is neither the node daemon service account ${this.expectedUser} nor another service account`);
    }
    if (this.audiences.length > 0) {
      const granted = status.audiences ?? [];
      if (!granted.some((a) => this.audiences.includes(a))) {
        throw refuse(`token audiences [${granted.join(', ')}] do not include [${this.audiences.join(', ')}]`);
      }
    }
    const extra = status.user?.extra ?? {};
    const node = extra[NODE_NAME_EXTRA]?.[0];
    if (!node) throw refuse(`token of "${username}" carries no ${NODE_NAME_EXTRA} claim (not a pod-bound projected token)`);
    if (!account) return { node };
    const podName = extra[POD_NAME_EXTRA]?.[0];
    const podUid = extra[POD_UID_EXTRA]?.[0];
    return {
      node,
      serviceAccount: { namespace: account[1]!, name: account[3]! },
      ...(podName ? { pod: { name: podName, ...(podUid ? { uid: podUid } : {}) } } : {}),
    };
  }
}
