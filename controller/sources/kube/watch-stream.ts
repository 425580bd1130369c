// One watch request (client-node's Watch) turned into a promise of how it ended.
//
// client-node 1.4.0 quirks handled here:
// - Watch.watch() only returns its AbortController once the response headers arrived,
//   and may call `done` before that; aborting before then is deferred until it returns.
// - `done` is called with null when the server closes the stream, with an Error
//   carrying `statusCode` for a non-200 answer, and with an AbortError when aborted.
// - Exceptions thrown by the event callback are swallowed by Watch (it wraps JSON.parse
//   and the callback in one try/catch), so the callback here must not throw.
import type { Watch } from '@kubernetes/client-node';
import { isRecord } from '../../config/resource.js';
import { statusCodeOf } from './kube-request.js';

export type WatchEnd =
  /** The server ended the stream (watch timeout, apiserver restart, dropped connection). */
  | { type: 'closed' }
  /** The resourceVersion is too old (HTTP 410, or an ERROR event with a 410 Status): re-list. */
  | { type: 'expired'; message: string }
  /** Any other failure: connection refused, non-200 answer, non-410 ERROR event. */
  | { type: 'failed'; message: string; statusCode: number | undefined; error?: unknown }
  /** Ended by our own signal (stop or resync). */
  | { type: 'aborted' };

/** Handles one event; returning a WatchEnd ends the watch with it. Must not throw. */
export type WatchEventHandler = (type: string, object: unknown) => WatchEnd | undefined;

/** Interprets the object of an ERROR watch event (a metav1.Status). */
export function errorEventEnd(object: unknown): WatchEnd {
  const code = isRecord(object) && typeof object.code === 'number' ? object.code : undefined;
  const reason = isRecord(object) && typeof object.reason === 'string' ? object.reason : '';
  const message = isRecord(object) && typeof object.message === 'string' ? object.message : reason || 'watch ERROR event';
  if (code === 410 || reason === 'Expired' || reason === 'Gone') return { type: 'expired', message };
  return { type: 'failed', message, statusCode: code };
}

function doneEnd(err: unknown): WatchEnd {
  if (err === null || err === undefined) return { type: 'closed' };
  const statusCode = statusCodeOf(err);
  const message = err instanceof Error ? err.message : JSON.stringify(err);
  if (statusCode === 410) return { type: 'expired', message };
  return { type: 'failed', message, statusCode, error: err };
}

export function runWatch(
  watch: Watch,
  path: string,
  query: Record<string, string>,
  onEvent: WatchEventHandler,
  signal: AbortSignal,
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve) => {
    if (signal.aborted) {
      resolve({ type: 'aborted' });
      return;
    }
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (end: WatchEnd): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(end);
    };
    const onAbort = (): void => finish({ type: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });

    // The watch callback's first parameter is the event type; the object is untyped JSON.
    const onData = (type: string, object: unknown): void => {
      if (settled) return;
      const end = onEvent(type, object);
      if (end) finish(end);
    };
    watch.watch(path, query, onData, (err: unknown) => finish(doneEnd(err))).then(
      (c) => {
        controller = c;
        if (settled) c.abort();
      },
      (err: unknown) => finish(doneEnd(err)),
    );
  });
}
