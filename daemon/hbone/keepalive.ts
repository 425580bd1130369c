// HTTP/2 PING keepalive: one ping per interval; a ping still unanswered when the next
// is due (or failing) means the peer is gone, and `onDead` is called once.
import type { Http2Session } from 'node:http2';

export function startKeepalive(session: Http2Session, intervalMs: number, onDead: (reason: string) => void): () => void {
  if (!(intervalMs > 0)) return () => {};
  let outstanding = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || session.destroyed) return;
    if (outstanding) {
      stop();
      onDead(`no PING acknowledgement within ${intervalMs} ms`);
      return;
    }
    outstanding = true;
    const sent = session.ping((err) => {
      outstanding = false;
      if (err && !stopped && !session.destroyed && !session.closed) {
        stop();
        onDead(`PING failed: ${err.message}`);
      }
    });
    if (!sent) outstanding = false;
  }, intervalMs);
  timer.unref();
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
