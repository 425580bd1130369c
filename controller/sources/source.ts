// A configuration source (local YAML files or the Kubernetes API) produces the same
// events into the same store. Sources never validate or translate: the store does.
import type { KubeObject } from '../config/resource.js';

export type ConfigEvent =
  | { type: 'upsert'; object: KubeObject }
  | { type: 'delete'; object: KubeObject };

export interface ConfigSink {
  /** Applies a batch of events; a batch is applied atomically (one recompute). */
  apply(events: readonly ConfigEvent[], origin: string): void;
  /** Replaces everything this origin contributed with `objects` (a full re-list). */
  replace(objects: readonly KubeObject[], origin: string): void;
}

export interface ConfigSource {
  /** Starts delivering events into the sink; resolves once the initial list is delivered. */
  start(sink: ConfigSink): Promise<void>;
  stop(): Promise<void>;
}
