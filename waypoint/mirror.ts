// Sends a request's copy to a mirror (rule 77), fire and forget: the copy goes to an
// endpoint of the mirror's destination with the shadow authority, its answer is read and
// dropped, and nothing about it (status, latency, failure) reaches the client or its
// access-log line. A request body is mirrored once the client has sent it whole, if it
// fit the retry buffer (64 KiB); a larger body is not mirrored. A copy is abandoned
// after the route timeout, or MIRROR_TIMEOUT_MS without one.
import { Readable } from 'node:stream';
import type { L7Mirror } from '../api/l7-model.js';
import type { Logger } from '../api/log.js';
import { resolveDestination, type ResolverDeps } from './destination-resolver.js';
import { shadowAuthority } from './engine/index.js';
import type { ReplayableBody } from './replayable-body.js';
import type { UpstreamExchange, UpstreamProtocol, Upstreams } from './upstream.js';

export const MIRROR_TIMEOUT_MS = 30_000;

export interface MirrorDeps extends ResolverDeps {
  upstreams: Upstreams;
  log: Logger;
}

export interface MirroredRequest {
  protocol: UpstreamProtocol;
  method: string;
  path: string;
  /** The headers the primary request goes upstream with (host included). */
  headers: ReadonlyMap<string, string>;
  body?: ReplayableBody;
  port: number;
  timeoutMs?: number;
}

export function sendMirror(deps: MirrorDeps, mirror: L7Mirror, req: MirroredRequest): void {
  void mirrorOnce(deps, mirror, req).catch((err: unknown) => {
    deps.log.debug({ err, mirror: mirror.destination.host }, 'mirror copy failed');
  });
}

async function mirrorOnce(deps: MirrorDeps, mirror: L7Mirror, req: MirroredRequest): Promise<void> {
  let body: Readable | undefined;
  if (req.body) {
    const whole = await req.body.complete();
    if (!whole) return; // too large to keep, or the client failed it: not mirrored
    body = Readable.from([whole]);
  }
  const resolved = resolveDestination(deps, mirror.destination, req.port);
  if ('flag' in resolved) {
    deps.log.debug({ mirror: mirror.destination.host, reason: resolved.reason }, 'mirror has no endpoint');
    return;
  }
  const headers = new Map(req.headers);
  headers.set('host', shadowAuthority(req.headers.get('host') ?? ''));
  await new Promise<void>((resolve) => {
    const current: { exchange?: UpstreamExchange } = {};
    const timer = setTimeout(() => current.exchange?.abort(new Error('mirror timeout')), req.timeoutMs ?? MIRROR_TIMEOUT_MS);
    current.exchange = deps.upstreams.request(resolved.endpoint, req.protocol, { method: req.method, path: req.path, headers, body }, {
      head: () => undefined,
      data: () => true,
      end: () => { clearTimeout(timer); resolve(); },
      error: (err) => {
        clearTimeout(timer);
        deps.log.debug({ err: err.message, mirror: mirror.destination.host }, 'mirror copy failed');
        resolve();
      },
    });
  });
}
