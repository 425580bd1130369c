// Which protocol a connection to a service port speaks (pure). The Service port says so
// first (`appProtocol`, then the port name's prefix, as Istio's protocol selection
// does); otherwise the first bytes decide: an HTTP/1.x request line or the HTTP/2
// connection preface, else opaque TCP.
import type { ServicePort } from '../api/model.js';

export type L7Protocol = 'http1' | 'http2' | 'tcp';
/** Declared by the port, or to be detected from the first bytes. */
export type DeclaredProtocol = L7Protocol | 'http' | 'detect';

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const HTTP1_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** The longest method token plus its space: enough bytes to tell HTTP/1 apart. */
const HTTP1_PROBE = 8;

function fromName(name: string): DeclaredProtocol | undefined {
  const p = name.toLowerCase();
  if (p === 'http2' || p === 'grpc' || p === 'grpc-web' || p === 'kubernetes.io/h2c' || p === 'h2c') return 'http2';
  if (p === 'http' || p === 'kubernetes.io/http') return 'http';
  if (p === 'tcp' || p === 'tls' || p === 'https' || p === 'mongo' || p === 'mysql' || p === 'redis' || p === 'kubernetes.io/ws' || p === 'kubernetes.io/wss') {
    return 'tcp';
  }
  return undefined;
}

/**
 * What a Service port declares. HTTP ports may still carry HTTP/2 with prior knowledge,
 * so they come back as 'http' (the preface decides between HTTP/1.1 and h2c).
 */
export function declaredProtocol(port: Pick<ServicePort, 'name' | 'appProtocol'> | undefined): DeclaredProtocol {
  if (!port) return 'detect';
  if (port.appProtocol) {
    const p = fromName(port.appProtocol);
    if (p) return p;
  }
  const prefix = port.name.split('-')[0] ?? '';
  return fromName(prefix) ?? 'detect';
}

/** How many bytes `classify` needs at most to decide. */
export const SNIFF_BYTES = H2_PREFACE.length;

/**
 * Classifies the first bytes of a connection: 'http2' (full preface), 'http1' (a known
 * method followed by a space), 'tcp' (cannot be HTTP), or 'more' (need more bytes).
 */
export function classify(head: Buffer): L7Protocol | 'more' {
  const text = head.subarray(0, SNIFF_BYTES).toString('latin1');
  if (H2_PREFACE.startsWith(text)) return text.length === H2_PREFACE.length ? 'http2' : 'more';
  for (const m of HTTP1_METHODS) {
    const token = `${m} `;
    if (text.length >= token.length ? text.startsWith(token) : token.startsWith(text)) {
      if (text.length >= token.length) return 'http1';
      return 'more';
    }
  }
  return text.length < HTTP1_PROBE && /^[A-Z]*$/.test(text) ? 'more' : 'tcp';
}
