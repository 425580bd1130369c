// Typed errors with stable codes. Every code Ambit can raise is listed in ERROR_CODES
// (one registry; docs/errors.md is kept in sync by a test).

export const ERROR_CODES = {
  AMBIT_ERR_INVALID_RESOURCE: 'A configuration resource failed validation',
  AMBIT_ERR_YAML_PARSE: 'A YAML document could not be parsed',
  AMBIT_ERR_UNKNOWN_KIND: 'A resource of a kind Ambit does not know was ignored',
  AMBIT_ERR_CSR_INVALID: 'A certificate signing request is malformed or its SAN is not the requested identity',
  AMBIT_ERR_CA_NOT_AUTHORIZED: 'A caller asked for an identity it may not have (a node daemon: no pod of that service account on its node; a workload token: not its own service account)',
  AMBIT_ERR_CA_TTL: 'A requested certificate lifetime is out of range',
  AMBIT_ERR_CA_ROOT: 'The CA root or plug-in cacerts could not be loaded',
  AMBIT_ERR_UNAUTHENTICATED: 'A caller presented no valid credentials',
  AMBIT_ERR_KUBE_WATCH: 'A Kubernetes list/watch failed',
  AMBIT_ERR_KUBE_APPLY: "A server-side apply of an object the controller owns (a waypoint's ServiceAccount, Deployment, Service or root-certificate ConfigMap) or of a waypoint Gateway's status failed",
  AMBIT_ERR_CONFIG: 'Invalid command-line or process configuration',
  AMBIT_ERR_NACK: 'A daemon rejected a configuration update',
  AMBIT_ERR_HBONE_CONNECT: 'An HBONE tunnel could not be opened: TCP connect or HTTP/2 failed, or the connection was lost before the CONNECT response',
  AMBIT_ERR_HBONE_TLS: 'The mTLS handshake of an HBONE connection failed (untrusted chain, missing or refused certificate, not TLS 1.3 + h2)',
  AMBIT_ERR_HBONE_IDENTITY_MISMATCH: "The HBONE server's certificate does not carry the expected SPIFFE identity",
  AMBIT_ERR_HBONE_REJECTED: 'The HBONE server answered the CONNECT with a non-200 status (400 bad request, 401 denied, 503 upstream unreachable)',
  AMBIT_ERR_HBONE_TIMEOUT: 'An HBONE connect (handshake and CONNECT response) did not complete in time',
  AMBIT_ERR_HBONE_ABORTED: 'An HBONE connect was cancelled (abort signal, or the connection pool was closed)',
  AMBIT_ERR_HBONE_INBOUND_REFUSED: 'An inbound HBONE connection was closed before carrying streams (malformed, timed out, or an unacceptable client certificate)',
  AMBIT_ERR_CERT_FETCH: 'The daemon could not obtain a usable workload certificate from the CA',
  AMBIT_ERR_LOCAL_IMAGE: 'A container of the local runtime has an image with no local mapping and no command',
  AMBIT_ERR_LOCAL_TOPOLOGY: 'The local runtime cannot lay out its namespaces and links (bad cluster/node/pod name or address, or a name already taken by something it did not create)',
  AMBIT_ERR_LOCAL_RUNTIME: 'A command of the local runtime failed (ip, sysctl, starting or stopping a pod process, teardown)',
  AMBIT_ERR_LOCAL_NO_CLUSTER: 'No local cluster of that name is running (no state dir, or its runtime process is gone)',
  AMBIT_ERR_LOCAL_NOT_READY: 'The local cluster did not get ready in time: a daemon, a node acknowledgement, a pod process or a declared pod port',
  AMBIT_ERR_NATIVE: 'The native addon is not built or cannot be loaded, or a native namespace/interface lookup failed',
  AMBIT_ERR_BPF_LOAD: 'The eBPF object could not be opened, verified or loaded, or does not have the expected maps and programs',
  AMBIT_ERR_BPF_ATTACH: 'An eBPF program could not be attached to (or detached from) a network interface with tcx or netlink',
  AMBIT_ERR_BPF_MAP: 'An eBPF map update, lookup or delete failed (enrolment, listener sockmap, configuration, counters)',
  AMBIT_ERR_TRANSPARENT_LISTENER: 'A transparent listener socket could not be created (socket, IP_TRANSPARENT, bind or listen failed)',
  AMBIT_ERR_NODE_ROUTING: 'The node routing for captured packets (ip rule fwmark, local route table) could not be read or set up',
  AMBIT_ERR_TRANSPARENT_CONNECT: 'A socket with the original client address as its source (IP_TRANSPARENT) could not be made',
  AMBIT_ERR_ROUTE_COMPILE: 'An L7 route table or destination policy could not be compiled by a waypoint (bad regex, unknown subset reference, malformed shape)',
  AMBIT_ERR_WAYPOINT: 'A waypoint process could not start or was misconfigured (identity, gateway name, listener)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AmbitError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AmbitError';
    this.code = code;
  }
}

export function isAmbitError(err: unknown, code?: ErrorCode): err is AmbitError {
  return err instanceof AmbitError && (code === undefined || err.code === code);
}
