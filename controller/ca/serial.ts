// Certificate serial numbers: 128 random bits, encoded as a positive minimal INTEGER.
import { randomBytes } from 'node:crypto';

/** INTEGER content bytes of a fresh random positive serial (RFC 5280: at most 20 octets). */
export function randomSerial(): Buffer {
  let bytes = randomBytes(16);
  // Minimal encoding: drop leading zero bytes, keep the value positive.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes[0] === 0) bytes = Buffer.from([1]); // all-zero draw: serial 0 is not allowed
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return bytes;
}
