// Authenticates node daemons by their bound service-account token: the API server's
// TokenReview says who the token belongs to, and a token projected into the node
// daemon's pod carries the node it runs on.
import { AuthenticationV1Api, type KubeConfig, type V1TokenReview } from '@kubernetes/client-node';
import { AmbitError } from '../../api/errors.js';

export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';

export interface TokenReviewAuthenticatorOptions {
  kubeConfig: KubeConfig;
  /** Audiences the token must be valid for; default ["istio-ca"]. Empty = the API server's own. */
  audiences?: readonly string[];
  /** The node daemon's service account, "<namespace>/<name>"; default "istio-system/ambit-node". */
  daemonServiceAccount?: string;
}

export interface AuthenticatedNode {
  node: string;
}

function refuse(reason: string, cause?: unknown): AmbitError {
  return new AmbitError('AMBIT_ERR_UNAUTHENTICATED', `token refused: ${reason}`, cause === undefined ? undefined : { cause });
}

export class TokenReviewAuthenticator {
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

  /** The node the token's pod runs on; throws AMBIT_ERR_UNAUTHENTICATED otherwise. */
  async authenticate(token: string): Promise<AuthenticatedNode> {
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
    if (username !== this.expectedUser) {
      throw refuse(`user "${username}" is not the node daemon service account ${this.expectedUser}`);
    }
    if (this.audiences.length > 0) {
      const granted = status.audiences ?? [];
      if (!granted.some((a) => this.audiences.includes(a))) {
        throw refuse(`token audiences [${granted.join(', ')}] do not include [${this.audiences.join(', ')}]`);
      }
    }
    const node = status.user?.extra?.[NODE_NAME_EXTRA]?.[0];
    if (!node) throw refuse(`token carries no ${NODE_NAME_EXTRA} claim (not a node-bound projected token)`);
    return { node };
  }
}
