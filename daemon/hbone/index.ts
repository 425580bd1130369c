// The HBONE transport (mTLS + HTTP/2 CONNECT, as Istio's ztunnel speaks it): public surface.
export { HboneServer, HBONE_SERVER_DEFAULTS, type HboneServerOptions, type HboneServerStats } from './server.js';
export type { HboneInboundRequest, RejectStatus } from './inbound-request.js';
export type { PeerCertificateInfo, RefusalReason } from './server-tls.js';
export {
  HbonePool, HBONE_POOL_DEFAULTS, type HbonePoolOptions, type HboneConnectRequest, type HboneOutboundStream,
  type HbonePoolStats, type PoolConnectionInfo,
} from './pool.js';
export { HboneError, isHboneError } from './hbone-error.js';
export { parseAuthority, authorityMatchesLocal, type AuthorityAllowed } from './authority.js';
export { formatForwardedFor, parseForwardedFor, type ForwardedFor } from './forwarded.js';
export { formatHostPort, normalizeIp, type SocketAddress } from './socket-address.js';
export { DEFAULT_WINDOWS, type WindowOptions } from './h2-settings.js';
