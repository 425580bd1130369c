// Load the CA's signing material: Istio-style plug-in cacerts when present, else the
// self-signed root kept in the state dir (created on first start).
import type { CaMaterial } from './ca-material.js';
import { loadPluginCa } from './cacerts.js';
import { loadOrCreateSelfSignedRoot } from './root-store.js';

export interface LoadCaOptions {
  /** Where the self-signed root is persisted. */
  stateDir: string;
  /** Istio `cacerts` directory; used when it holds the four files. */
  pluginDir?: string;
  /** Trust domain (the self-signed root's O). */
  trustDomain: string;
  now?: Date;
}

export function loadCaMaterial(opts: LoadCaOptions): CaMaterial {
  const now = opts.now ?? new Date();
  const plugin = opts.pluginDir === undefined ? undefined : loadPluginCa(opts.pluginDir, now);
  return plugin ?? loadOrCreateSelfSignedRoot(opts.stateDir, opts.trustDomain, now);
}
