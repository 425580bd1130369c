// SPIFFE identities in a peer certificate's subjectAltName. Node renders SANs as
// `URI:spiffe://td/ns/a/sa/b, DNS:x`, JSON-quoting values with special characters.
// Pure.
import { parseSpiffeUri, spiffeUri, type Identity } from '../../api/identity.js';

/** Every `URI:` entry of a Node subjectAltName string, unquoted. */
export function uriSans(subjectAltName: string | undefined): string[] {
  const uris: string[] = [];
  if (!subjectAltName) return uris;
  let i = 0;
  const text = subjectAltName;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      // JSON string: find the closing quote that is not escaped.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        return uris; // malformed rendering: trust nothing after it
      }
      next = text.indexOf(',', j + 1);
    } else {
      next = text.indexOf(',', colon + 1);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    if (type === 'URI') uris.push(value);
    if (next < 0) break;
    i = next + 1;
  }
  return uris;
}

/** Whether the certificate names `expected` among its URI SANs. */
export function hasSpiffeIdentity(subjectAltName: string | undefined, expected: Identity): boolean {
  const want = spiffeUri(expected);
  return uriSans(subjectAltName).includes(want);
}

export type PeerIdentityResult =
  | { ok: true; identity: Identity; uri: string }
  | { ok: false; reason: string };

/**
 * The client identity an HBONE server accepts: exactly one SPIFFE URI SAN, in
 * `trustDomain`. Several SPIFFE ids would be ambiguous for authorization: refused.
 */
export function peerIdentityIn(subjectAltName: string | undefined, trustDomain: string): PeerIdentityResult {
  const spiffe = uriSans(subjectAltName).filter((u) => u.startsWith('spiffe://'));
  if (spiffe.length === 0) return { ok: false, reason: 'the client certificate has no SPIFFE URI SAN' };
  if (spiffe.length > 1) return { ok: false, reason: `the client certificate has ${spiffe.length} SPIFFE URI SANs` };
  const uri = spiffe[0]!;
  const identity = parseSpiffeUri(uri);
  if (!identity) return { ok: false, reason: `the client SPIFFE id ${uri} is not of the form spiffe://<td>/ns/<ns>/sa/<sa>` };
  if (identity.trustDomain !== trustDomain) {
    return { ok: false, reason: `the client SPIFFE id ${uri} is not in trust domain ${trustDomain}` };
  }
  return { ok: true, identity, uri };
}
