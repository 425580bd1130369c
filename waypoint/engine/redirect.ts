// The answer to a route whose action is a redirect (rule 69): the status (301 unless the
// route says otherwise) and the Location built the way Envoy builds it.
import type { L7Redirect } from '../../api/l7-model.js';
import type { L7Request } from './request.js';
import { splitAuthority, splitPath } from './request.js';
import type { PathSelection } from './rewrite.js';
import { replacePathPrefix } from './rewrite.js';

export interface RedirectAnswer {
  status: number;
  location: string;
}

/**
 * - scheme: the redirect's, else the request's;
 * - port: a number, or 'request-port' (the service port addressed), is appended as
 *   `:port`; 'protocol-default' leaves none;
 * - host: the redirect's authority (used as is), else the request's authority, whose port
 *   is dropped when a port is given, with 'protocol-default', or when the scheme changes
 *   and the port was the default of the old scheme (`http://a:80` → `https://a`);
 * - path: `uri` replaces the whole path, `prefix` the matched prefix, else it is kept;
 *   the query string is kept unless `uri` carries its own.
 */
export function redirectLocation(redirect: L7Redirect, selection: PathSelection, req: L7Request): RedirectAnswer {
  const scheme = redirect.scheme ?? req.scheme;
  const port = redirect.port === 'request-port' ? String(req.port) : typeof redirect.port === 'number' ? String(redirect.port) : '';
  const portText = port === '' ? '' : `:${port}`;
  const host = redirect.authority ?? requestHost(req, scheme, portText !== '' || redirect.port === 'protocol-default');
  let path: string;
  if (redirect.uri !== undefined) path = redirect.uri.includes('?') ? redirect.uri : redirect.uri + splitPath(req.path).search;
  else if (redirect.prefix !== undefined) path = replacePathPrefix(redirect.prefix, selection, req.path);
  else path = req.path;
  return { status: redirect.status, location: `${scheme}://${host}${portText}${path}` };
}

function requestHost(req: L7Request, scheme: string, dropPort: boolean): string {
  const { host, port } = splitAuthority(req.authority);
  if (port === '') return req.authority;
  const defaultOfOld = (req.scheme === 'https' && port === '443') || (req.scheme === 'http' && port === '80');
  return dropPort || (scheme !== req.scheme && defaultOfOld) ? host : req.authority;
}
