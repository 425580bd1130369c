// How the identity manager obtains certificates: one CA round trip per call.
import type { Identity } from '../../api/identity.js';

/** Send `csrPem` for `identity` to the CA; resolves to the PEM chain leaf..root. */
export type CertificateFetcher = (identity: Identity, csrPem: string) => Promise<string[]>;
