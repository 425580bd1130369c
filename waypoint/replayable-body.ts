// A request body that can be sent again when a try is retried. It streams to the
// current try as it arrives (nothing waits for the whole body) and keeps a copy up to
// `limit` bytes; past the limit the copy is dropped and the body can no longer be
// replayed, so the request is not retried (Envoy does the same past its buffer limit).
import { PassThrough, type Readable } from 'node:stream';

/** The largest request body kept for retries. */
export const RETRY_BODY_LIMIT_BYTES = 64 * 1024;

export class ReplayableBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflowed = false;
  private ended = false;
  private failed: Error | undefined;
  private current: PassThrough | undefined;
  /** Bytes read from the client so far. */
  bytes = 0;

  constructor(private readonly source: Readable, private readonly limit = RETRY_BODY_LIMIT_BYTES) {
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.once('end', () => {
      this.ended = true;
      this.current?.end();
    });
    source.once('error', (err: Error) => {
      this.failed = err;
      this.current?.destroy(err);
    });
  }

  /** The whole body once the client has sent it, if it was kept (within the limit); else undefined. */
  complete(): Promise<Buffer | undefined> {
    if (this.ended || this.failed || this.overflowed) return Promise.resolve(this.kept());
    return new Promise((resolve) => {
      const done = (): void => resolve(this.kept());
      this.source.once('end', done);
      this.source.once('error', done);
      this.source.once('close', done);
    });
  }

  private kept(): Buffer | undefined {
    return this.ended && this.replayable ? Buffer.concat(this.chunks) : undefined;
  }

  /** Whether a new try can get the whole body. */
  get replayable(): boolean {
    return !this.overflowed && this.failed === undefined;
  }

  /** The body for a new try: what was read so far, then the rest as it comes. Ends the previous try's body. */
  open(): Readable {
    this.current?.destroy();
    const body = new PassThrough();
    body.on('error', () => { /* the try's reader ended it */ });
    for (const c of this.chunks) body.write(c);
    if (this.failed) body.destroy(this.failed);
    else if (this.ended) body.end();
    this.current = body;
    this.source.resume();
    return body;
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (!this.overflowed) {
      this.size += chunk.length;
      if (this.size > this.limit) {
        this.overflowed = true;
        this.chunks = [];
      } else {
        this.chunks.push(chunk);
      }
    }
    const body = this.current;
    if (!body || body.destroyed) return;
    if (!body.write(chunk)) {
      this.source.pause();
      body.once('drain', () => this.source.resume());
    }
  }
}
