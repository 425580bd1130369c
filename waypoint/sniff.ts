// Reads the first bytes of a stream to tell HTTP/1.x, HTTP/2 (prior knowledge) and
// opaque TCP apart, then puts them back so the chosen handler sees the stream whole.
import type { Duplex } from 'node:stream';
import { classify, SNIFF_BYTES, type L7Protocol } from './protocol.js';

/**
 * Resolves with the protocol once the bytes decide, the stream ends, or `timeoutMs`
 * passes without a decision (then 'tcp': server-first protocols send nothing first).
 */
export function sniffProtocol(stream: Duplex, timeoutMs: number): Promise<L7Protocol> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    const finish = (protocol: L7Protocol): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      // After 'end' nothing can be put back: a client that half-closes before its first
      // bytes decide gets an opaque stream with nothing left to read.
      if (chunks.length > 0 && !ended) stream.unshift(Buffer.concat(chunks));
      resolve(protocol);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const verdict = classify(head.subarray(0, SNIFF_BYTES));
      if (verdict !== 'more') finish(verdict);
      else if (length >= SNIFF_BYTES) finish('tcp');
    };
    const onEnd = (): void => {
      ended = true;
      finish('tcp');
    };
    const timer = setTimeout(() => finish('tcp'), timeoutMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
  });
}
