// The `forwarded` header of an HBONE CONNECT (RFC 7239): `for="<src ip>:<port>"`, IPv6
// as `for="[::1]:80"`. Formatting and lenient parsing of the first element's `for`
// parameter (the original client). Pure.
import { isIP } from 'node:net';
import { normalizeIp, parsePort } from './socket-address.js';

/** Where the proxied connection came from; port absent when the header had none. */
export interface ForwardedFor {
  ip: string;
  port?: number;
}

export function formatForwardedFor(addr: ForwardedFor): string {
  const host = isIP(addr.ip) === 6 ? `[${addr.ip}]` : addr.ip;
  return addr.port === undefined ? `for="${host}"` : `for="${host}:${addr.port}"`;
}

/** Split on `sep` outside double quotes (backslash escapes inside quotes). */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string | undefined {
  if (!value.startsWith('"')) return value;
  if (value.length < 2 || !value.endsWith('"')) return undefined;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** A node value (`1.2.3.4`, `1.2.3.4:5`, `[::1]`, `[::1]:80`) → address; `unknown`, obfuscated ids → undefined. */
export function parseForwardedNode(node: string): ForwardedFor | undefined {
  let host = node;
  let portText: string | undefined;
  if (node.startsWith('[')) {
    const close = node.indexOf(']');
    if (close < 0) return undefined;
    host = node.slice(1, close);
    const rest = node.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = node.indexOf(':');
    if (colon >= 0) {
      host = node.slice(0, colon);
      portText = node.slice(colon + 1);
    }
    if (isIP(host) !== 4) return undefined;
  }
  const ip = normalizeIp(host);
  if (ip === undefined) return undefined;
  if (portText === undefined) return { ip };
  const port = parsePort(portText);
  return port === undefined ? undefined : { ip, port };
}

/** The `for` address of the first forwarded element, if it names an IP. */
export function parseForwardedFor(header: string | undefined): ForwardedFor | undefined {
  if (header === undefined) return undefined;
  const first = splitOutsideQuotes(header, ',')[0] ?? '';
  for (const pair of splitOutsideQuotes(first, ';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    const value = unquote(pair.slice(eq + 1).trim());
    return value === undefined ? undefined : parseForwardedNode(value);
  }
  return undefined;
}
