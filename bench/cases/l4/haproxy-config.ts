// Configurations of the haproxy mTLS pair (the baseline a TCP proxy pair with mutual TLS
// 1.3 sets): A takes plain TCP from the client and opens TLS to B with a client
// certificate; B requires and verifies it and connects to the server. One thread each
// (a node daemon uses one core), TCP mode, no logging.
import type { TestCerts } from './test-certs.js';

export interface HaproxyRoute {
  name: string;
  /** A's plain listener. */
  aPort: number;
  /** B's TLS listener. */
  bPort: number;
  /** The destination server. */
  appPort: number;
  /** Addresses of A's listener, B's listener and the server (127.0.0.1 when absent). */
  aHost?: string;
  bHost?: string;
  appHost?: string;
}

const LOOPBACK = '127.0.0.1';

const COMMON = `global
  nbthread 1
  maxconn 4000
  ssl-default-bind-options ssl-min-ver TLSv1.3
  ssl-default-server-options ssl-min-ver TLSv1.3

defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
`;

export function haproxyA(routes: readonly HaproxyRoute[], certs: TestCerts): string {
  return COMMON + routes.map((r) => `
frontend a_${r.name}
  bind ${r.aHost ?? LOOPBACK}:${r.aPort}
  default_backend a_${r.name}_to_b

backend a_${r.name}_to_b
  server b ${r.bHost ?? LOOPBACK}:${r.bPort} ssl crt ${certs.clientPem} ca-file ${certs.caFile} verify required verifyhost ${certs.serverName} sni str(${certs.serverName})
`).join('');
}

export function haproxyB(routes: readonly HaproxyRoute[], certs: TestCerts): string {
  return COMMON + routes.map((r) => `
frontend b_${r.name}
  bind ${r.bHost ?? LOOPBACK}:${r.bPort} ssl crt ${certs.serverPem} ca-file ${certs.caFile} verify required
  default_backend b_${r.name}_to_app

backend b_${r.name}_to_app
  server app ${r.appHost ?? LOOPBACK}:${r.appPort}
`).join('');
}
