// Keeps one kind in sync: list → sink.replace, then watch from the list's
// resourceVersion → sink.apply. Re-lists on 410 Gone and on resync, reconnects with
// backoff on anything else, and keeps retrying a kind whose CRD is not installed.
import type { KubeConfig, Watch } from '@kubernetes/client-node';
import { AmbitError } from '../../../api/errors.js';
import type { Logger } from '../../../api/log.js';
import { isRecord } from '../../config/resource.js';
import type { ConfigEvent, ConfigSink } from '../source.js';
import { Backoff } from './backoff.js';
import { deferred, sleep, type Deferred } from './deferred.js';
import { collectionPath, kubeOrigin, type WatchedKind } from './kinds.js';
import { statusCodeOf } from './kube-request.js';
import { asKubeObject, listAll } from './list-all.js';
import { errorEventEnd, runWatch, type WatchEnd } from './watch-stream.js';

export interface ReflectorOptions {
  kubeConfig: KubeConfig;
  watch: Watch;
  logger: Logger;
  pageSize: number;
  /** Re-list this often even when the watch is healthy; undefined = never. */
  resyncPeriodMs: number | undefined;
  /** How long to wait before listing a kind again after a 404 (CRD not installed). */
  missingKindRetryMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Passed as timeoutSeconds on each watch; the server ends the watch after it. */
  watchTimeoutSeconds: number;
}

export class KindReflector {
  readonly origin: string;
  private readonly log: Logger;
  private readonly stopper = new AbortController();
  private readonly backoff: Backoff;
  private loopDone: Promise<void> | undefined;
  private rv = '';
  /** Whether this origin currently has a delivered list (so a vanished CRD must clear it). */
  private delivered = false;
  private missingWarned = false;
  private pending: ConfigEvent[] = [];
  private flushQueued = false;

  constructor(
    readonly kind: WatchedKind,
    private readonly options: ReflectorOptions,
  ) {
    this.origin = kubeOrigin(kind);
    this.log = options.logger.child({ origin: this.origin });
    this.backoff = new Backoff({ initialMs: options.backoffInitialMs, maxMs: options.backoffMaxMs });
  }

  /** The resourceVersion the next watch would start from ("" before the first list). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** Starts syncing; resolves once the first list was delivered or the kind was found missing. */
  start(sink: ConfigSink): Promise<void> {
    if (this.loopDone) throw new AmbitError('AMBIT_ERR_CONFIG', `${this.origin}: reflector already started`);
    const synced = deferred();
    this.loopDone = this.loop(sink, synced).catch((err: unknown) => {
      this.log.error({ err }, 'kube reflector loop crashed');
      if (!synced.settled) synced.reject(err);
    });
    return synced.promise;
  }

  /** Ends the watch and any pending list or retry; nothing reaches the sink afterwards. */
  async stop(): Promise<void> {
    this.stopper.abort();
    this.pending = [];
    await this.loopDone;
  }

  private async loop(sink: ConfigSink, synced: Deferred): Promise<void> {
    const stop = this.stopper.signal;
    const path = collectionPath(this.kind);
    let needList = true;
    let listedAt = 0;
    while (!stop.aborted) {
      if (needList) {
        let listed;
        try {
          listed = await listAll(this.options.kubeConfig, this.kind, { pageSize: this.options.pageSize, signal: stop, logger: this.log });
        } catch (err) {
          if (stop.aborted) break;
          if (statusCodeOf(err) === 404) {
            this.onMissing(sink);
            synced.resolve();
            await sleep(this.options.missingKindRetryMs, stop);
          } else {
            this.log.warn({ err }, 'kube list failed; retrying');
            await sleep(this.backoff.next(), stop);
          }
          continue;
        }
        if (stop.aborted) break;
        this.flush(sink);
        this.deliver(() => sink.replace(listed.items, this.origin));
        if (this.missingWarned) this.log.info('kind is now served by the API server');
        this.rv = listed.resourceVersion;
        this.delivered = true;
        this.missingWarned = false;
        needList = false;
        listedAt = Date.now();
        this.backoff.reset();
        synced.resolve();
        this.log.debug({ count: listed.items.length, resourceVersion: this.rv }, 'kube list delivered');
      }

      const end = await this.watchOnce(path, sink, listedAt);
      if (stop.aborted) break;
      if (end.progressed) this.backoff.reset(); // a watch that delivered something was healthy
      switch (end.type) {
        case 'aborted': // resync period elapsed
          needList = true;
          break;
        case 'expired':
          this.log.info({ resourceVersion: this.rv, message: end.message }, 'watch resourceVersion expired (410); re-listing');
          needList = true;
          if (!end.progressed) await sleep(this.backoff.next(), stop);
          break;
        case 'closed':
          this.log.debug({ resourceVersion: this.rv }, 'watch closed by the server; reconnecting');
          if (!end.progressed) await sleep(this.backoff.next(), stop);
          break;
        case 'failed':
          if (end.statusCode === 404) {
            needList = true; // the CRD went away: the list will tell
            break;
          }
          this.log.warn({ statusCode: end.statusCode, message: end.message, resourceVersion: this.rv }, 'watch failed; reconnecting with backoff');
          await sleep(this.backoff.next(), stop);
          break;
      }
    }
    this.pending = [];
    if (!synced.settled) synced.reject(new AmbitError('AMBIT_ERR_KUBE_WATCH', `${this.origin}: stopped before the initial list completed`));
  }

  /** One watch from the current resourceVersion; `progressed` tells whether any event arrived. */
  private async watchOnce(path: string, sink: ConfigSink, listedAt: number): Promise<WatchEnd & { progressed: boolean }> {
    const ctl = new AbortController();
    const onStop = (): void => ctl.abort();
    this.stopper.signal.addEventListener('abort', onStop, { once: true });
    const resync = this.options.resyncPeriodMs;
    const timer = resync === undefined ? undefined : setTimeout(() => ctl.abort(), Math.max(0, listedAt + resync - Date.now()));
    let progressed = false;
    const query = {
      resourceVersion: this.rv,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds),
    };
    try {
      const end = await runWatch(
        this.options.watch,
        path,
        query,
        (type, object) => {
          if (type !== 'ERROR') progressed = true;
          return this.onEvent(type, object, sink);
        },
        ctl.signal,
      );
      return { ...end, progressed };
    } finally {
      clearTimeout(timer);
      this.stopper.signal.removeEventListener('abort', onStop);
    }
  }

  private onEvent(type: string, object: unknown, sink: ConfigSink): WatchEnd | undefined {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const obj = asKubeObject(object, this.kind);
        if (!obj) {
          this.log.warn({ type }, 'ignoring a watch event whose object has no metadata.name');
          return undefined;
        }
        if (obj.metadata.resourceVersion) this.rv = obj.metadata.resourceVersion;
        this.enqueue({ type: type === 'DELETED' ? 'delete' : 'upsert', object: obj }, sink);
        return undefined;
      }
      case 'BOOKMARK': {
        // Only metadata.resourceVersion is meaningful: remember it, emit nothing.
        const rv = isRecord(object) && isRecord(object.metadata) ? object.metadata.resourceVersion : undefined;
        if (typeof rv === 'string' && rv !== '') this.rv = rv;
        return undefined;
      }
      case 'ERROR':
        return errorEventEnd(object);
      default:
        this.log.warn({ type }, 'ignoring a watch event of unknown type');
        return undefined;
    }
  }

  /** Events that arrive together (one network chunk) are applied as one batch. */
  private enqueue(event: ConfigEvent, sink: ConfigSink): void {
    this.pending.push(event);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush(sink);
    });
  }

  private flush(sink: ConfigSink): void {
    if (this.pending.length === 0 || this.stopper.signal.aborted) return;
    const events = this.pending;
    this.pending = [];
    this.deliver(() => sink.apply(events, this.origin));
  }

  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'config sink threw while applying kube events');
    }
  }

  private onMissing(sink: ConfigSink): void {
    if (!this.missingWarned) {
      this.log.warn(
        { path: collectionPath(this.kind), retryMs: this.options.missingKindRetryMs },
        'kind not served by the API server (CRD not installed?); will retry',
      );
      this.missingWarned = true;
    } else {
      this.log.debug('kind still not served by the API server');
    }
    if (this.delivered) {
      // The CRD was removed: its objects are gone with it.
      this.deliver(() => sink.replace([], this.origin));
      this.delivered = false;
    }
    this.rv = '';
  }
}
