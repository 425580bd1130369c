// A guard for Node 20's HTTP/2 streams: a corked write of several chunks (writev) that
// mixes strings and Buffers can reach the peer with its first 16 bytes overwritten: the
// strings are copied into native storage that is freed before nghttp2 sends it. Node's
// HTTP/1.1 server (a string head corked with a Buffer body, whenever a response has a
// content-length) and undici (a string head corked with a request body) write exactly
// that, so an HBONE stream that carries HTTP/1.1 from the waypoint gets its string chunks
// turned into Buffers before they reach writev. Single writes and Buffer-only writev are
// not affected and pass unchanged.
import type { Duplex } from 'node:stream';

type Chunk = { chunk: unknown; encoding: BufferEncoding };

export function writeBuffersOnly<T extends Duplex>(stream: T): T {
  const writev = stream._writev?.bind(stream);
  if (!writev) return stream;
  stream._writev = (chunks: Chunk[], callback: (error?: Error | null) => void): void => {
    writev(chunks.map((c) => (typeof c.chunk === 'string' ? { chunk: Buffer.from(c.chunk, c.encoding), encoding: 'buffer' as BufferEncoding } : c)), callback);
  };
  return stream;
}
