// The controller's certificate authority: public surface.
export { loadCaMaterial, type LoadCaOptions } from './root.js';
export type { CaMaterial } from './ca-material.js';
export { loadPluginCa, CACERTS_FILES } from './cacerts.js';
export { loadOrCreateSelfSignedRoot, ROOT_CERT_FILE, ROOT_KEY_FILE } from './root-store.js';
export { CertificateAuthority, createCertificateAuthority, CLOCK_SKEW_SECONDS, type AuthorityOptions } from './authority.js';
export { createCsr, createCsrWithSans, generateKeyAndCsr, type KeyAndCsr } from './csr-create.js';
export { parseCsr, type ParsedCsr } from './csr-parse.js';
export { parseRequestedIdentity, verifyCsrForIdentity } from './csr-verify.js';
export { resolveTtlSeconds, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS } from './ttl.js';
export { generateKeyPair, type KeyPair } from './keys.js';
export { issueServingCertificate, type ServingCertOptions, type ServingCert } from './serving-cert.js';
export { createCaService, addCaService, type CaServiceDeps, type CaSigner, type RefusalReason } from './ca-service.js';
