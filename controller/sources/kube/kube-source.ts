// ConfigSource backed by the Kubernetes API: one list+watch reflector per kind in
// WATCHED_KINDS, each delivering under its own origin ("kube:Pod", ...).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { AmbitError } from '../../../api/errors.js';
import type { Logger } from '../../../api/log.js';
import type { ConfigSink, ConfigSource } from '../source.js';
import { KindReflector } from './kind-reflector.js';
import { WATCHED_KINDS, type WatchedKind } from './kinds.js';

export interface KubeSourceOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Periodic full re-list (delivered with sink.replace); default: none. */
  resyncPeriodMs?: number;
  /** Kinds to list and watch; default WATCHED_KINDS. */
  kinds?: readonly WatchedKind[];
  /** List page size (limit/continue); 0 disables pagination. Default 500. */
  pageSize?: number;
  /** Retry period for a kind whose list answered 404 (CRD not installed). Default 60 s. */
  missingKindRetryMs?: number;
  /** Reconnect/retry backoff. Default 500 ms doubling up to 30 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** timeoutSeconds sent on each watch. Default 300–600 s, picked per source. */
  watchTimeoutSeconds?: number;
}

export class KubeSource implements ConfigSource {
  /** The API server connection; the controller's other Kubernetes clients reuse it. */
  readonly kubeConfig: KubeConfig;
  private readonly reflectors: KindReflector[];
  private started = false;

  constructor(options: KubeSourceOptions) {
    this.kubeConfig = options.kubeConfig;
    const watch = new Watch(options.kubeConfig);
    const common = {
      kubeConfig: options.kubeConfig,
      watch,
      logger: options.logger,
      pageSize: options.pageSize ?? 500,
      resyncPeriodMs: options.resyncPeriodMs,
      missingKindRetryMs: options.missingKindRetryMs ?? 60_000,
      backoffInitialMs: options.backoff?.initialMs ?? 500,
      backoffMaxMs: options.backoff?.maxMs ?? 30_000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
    };
    this.reflectors = (options.kinds ?? WATCHED_KINDS).map((kind) => new KindReflector(kind, common));
  }

  /**
   * Resolves once every kind's initial list reached the sink (kinds answering 404 are
   * skipped and retried in the background). List failures other than 404 are retried
   * with backoff, so this waits until the API server answers; stop() rejects it.
   */
  async start(sink: ConfigSink): Promise<void> {
    if (this.started) throw new AmbitError('AMBIT_ERR_CONFIG', 'KubeSource already started');
    this.started = true;
    await Promise.all(this.reflectors.map((r) => r.start(sink)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  /** Origin → resourceVersion the next watch starts from (diagnostics and tests). */
  resourceVersions(): Map<string, string> {
    return new Map(this.reflectors.map((r) => [r.origin, r.resourceVersion]));
  }
}
