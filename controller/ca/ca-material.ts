// What the CA signs with: the issuing certificate and key plus the chain above it.
import type { KeyObject } from 'node:crypto';
import type { CertInfo } from './cert-info.js';

export interface CaMaterial {
  source: 'plugin' | 'self-signed';
  /** Issuing certificate, then each issuer up to the root (root last; [root] when the root signs). */
  chain: CertInfo[];
  /** Private key of chain[0]. */
  key: KeyObject;
}
