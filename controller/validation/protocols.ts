// Istio port protocol names (case-insensitive; "" means sniffing) and their classes.

const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'HTTP_PROXY', 'MONGO', 'MYSQL', 'REDIS', 'TCP', 'TLS', 'UDP', 'HBONE', 'THRIFT'];

export function istioProtocolProblem(p: string): string | undefined {
  if (p === '' || PROTOCOLS.includes(p.toUpperCase())) return undefined;
  return `unsupported protocol: ${p} (supported: ${PROTOCOLS.join(', ')})`;
}

export function isHttpProtocol(p: string): boolean {
  return ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY'].includes(p.toUpperCase());
}

export function isTlsProtocol(p: string): boolean {
  return ['HTTPS', 'TLS'].includes(p.toUpperCase());
}
