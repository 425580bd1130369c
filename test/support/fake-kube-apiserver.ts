// ============================================================================
// FAKE KUBERNETES API SERVER — FOR TESTS ONLY.
//
// This is a fake standing in for the real Kubernetes API server, not Kubernetes: no
// Kubernetes API server (nor etcd, kind,
// minikube, k3s or envtest) can run on the machine these tests run on, so the
// controller's Kubernetes source and TokenReview client are tested against this
// in-process HTTP server on 127.0.0.1 (ephemeral port, plain HTTP; the KubeConfig it
// hands out sets skipTLSVerify because client-node refuses http:// otherwise).
//
// What it implements, following the real wire protocol:
// - list: GET /api/v1/<plural>, /apis/<group>/<version>/<plural>, and the namespaced
//   forms .../namespaces/<ns>/<plural>; answers {kind:"<Kind>List", apiVersion,
//   metadata:{resourceVersion[, continue]}, items} with apiVersion/kind stripped from
//   items (as the real server does for built-in types); limit/continue pagination over
//   a snapshot; an unknown (or expireNextContinue()) continue token gets 410 Expired.
// - get of one object: .../<plural>/<name>.
// - watch (?watch=true&resourceVersion=N[&allowWatchBookmarks=true][&timeoutSeconds=S]):
//   a chunked 200 response of newline-delimited JSON {type, object}; replays history
//   after N then streams live ADDED/MODIFIED/DELETED; without N (or N=0) it first sends
//   ADDED for every current object. BOOKMARK events go only to watches that asked for
//   them. One global, monotonically increasing resourceVersion across all types.
// - "too old resource version": expireNextWatch() answers the next watch of a type with
//   an ERROR event carrying Status{code:410, reason:"Expired"} and closes it;
//   compact() forgets history so any watch from an older resourceVersion gets 410
//   (as an ERROR event, like current API servers, or as an HTTP 410 answer);
//   failNextWatches() answers watches with a non-410 ERROR (500 InternalError).
// - 404 Status for resource types that are not registered (a CRD not installed);
//   types can be registered and removed at run time.
// - POST /apis/authentication.k8s.io/v1/tokenreviews answered from a token table,
//   including audience intersection the way kube-apiserver does it.
// - server-side apply of ServiceAccounts, Services, ConfigMaps and Deployments: PATCH
//   .../namespaces/<ns>/<plural>/<name> with Content-Type application/apply-patch+yaml
//   and ?fieldManager= (400 without it, 415 for another patch type, 400 when the body's
//   apiVersion/kind/name/namespace disagree with the URL); the body replaces the stored
//   object (creating it, watchers get ADDED/MODIFIED), the answer is the stored copy.
//   A Service applied without spec.clusterIP keeps the one it has, or gets one
//   (10.96.0.<n>), as the real API server allocates it and keeps it across applies by a
//   manager that does not own it. These built-in types are served from their first apply
//   on. Every apply is recorded
//   (applies); failNextApplies() answers the next ones (of objects, of status, or any)
//   with an error Status.
// - server-side apply to the status subresource of Gateways
//   (gateway.networking.k8s.io, served only while that type is registered): PATCH
//   .../namespaces/<ns>/gateways/<name>/status, checked like an object apply; as on the
//   real API server only .status changes (the body's status replaces the stored one; the
//   rest of the body is ignored), the resourceVersion is bumped and watchers get
//   MODIFIED, a status equal to the stored one changes nothing (no new resourceVersion,
//   no event), and a Gateway that does not exist gets 404 NotFound (a status apply never
//   creates). Recorded in applies like the others.
// - bearer-token authentication of the client (401 otherwise).
//
// What it does NOT implement: TLS, label/field selectors, create/update/delete and
// other patch types over HTTP (tests change objects through this class), other
// subresources (and status of other types), metadata.generation (tests set it),
// resourceVersionMatch, sendInitialEvents, field ownership and merging of server-side
// apply (no managedFields, no conflicts, force is only recorded), admission,
// defaulting or validation of objects, discovery (/api, /apis), RBAC, protobuf, watch-cache semantics beyond one
// compaction point, and any kind of persistence.
// ============================================================================
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { FakeKubeStore, apiVersionOf, type FakeKind, type FakeObject, type StoredEvent } from './fake-kube-store.js';
import { ConditionWaiters } from './condition-waiters.js';

export type { FakeKind, FakeObject } from './fake-kube-store.js';

export interface FakeTokenIdentity {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  /** Audiences the token was issued for; default the API server's own. */
  audiences?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
}

/** One server-side apply request as received. */
export interface RecordedApply {
  path: string;
  contentType: string;
  fieldManager: string | null;
  force: string | null;
  /** The parsed body (undefined when it did not parse). */
  body: FakeObject | undefined;
  /** The HTTP status answered. */
  status: number;
}

/** Built-in namespaced types that accept server-side apply (served from their first apply). */
export const APPLY_KINDS: readonly FakeKind[] = [
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
];

/** Types whose status subresource accepts server-side apply (when registered). */
export const STATUS_APPLY_KINDS: readonly Pick<FakeKind, 'group' | 'plural'>[] = [
  { group: 'gateway.networking.k8s.io', plural: 'gateways' },
];

/** What a queued apply failure answers: object applies, status applies, or either. */
export type ApplyTarget = 'object' | 'status' | 'any';

const APPLY_PATCH = 'application/apply-patch+yaml';

interface OpenWatch {
  kind: FakeKind;
  namespace: string | undefined;
  bookmarks: boolean;
  res: http.ServerResponse;
}

interface Snapshot {
  kind: FakeKind;
  items: FakeObject[];
  rv: number;
  offset: number;
}

interface Route {
  group: string;
  version: string;
  namespace: string | undefined;
  plural: string;
  name: string | undefined;
  /** "status" in .../namespaces/<ns>/<plural>/<name>/status. */
  subresource?: string;
}

const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

function parseRoute(pathname: string): Route | undefined {
  const segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    [group, version, rest] = ['', segs[1]!, segs.slice(2)];
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  } else {
    return undefined;
  }
  if (rest.length === 1) return { group, version, namespace: undefined, plural: rest[0]!, name: undefined };
  if (rest.length === 2) return { group, version, namespace: undefined, plural: rest[0]!, name: rest[1] };
  if (rest[0] === 'namespaces' && (rest.length === 3 || rest.length === 4)) {
    return { group, version, namespace: rest[1], plural: rest[2]!, name: rest[3] };
  }
  if (rest[0] === 'namespaces' && rest.length === 5) {
    return { group, version, namespace: rest[1], plural: rest[2]!, name: rest[3], subresource: rest[4] };
  }
  return undefined;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function stripTypeMeta(o: FakeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...o };
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

export class FakeKubeApiServer {
  readonly store = new FakeKubeStore();
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every TokenReview spec received, in order. */
  readonly tokenReviews: { token: string; audiences: string[] }[] = [];
  /** Every server-side apply received, in order (failed ones too). */
  readonly applies: RecordedApply[] = [];
  private readonly applyFailures: { target: ApplyTarget; status: Record<string, unknown> }[] = [];
  private readonly tokens = new Map<string, FakeTokenIdentity>();
  private readonly openWatches = new Set<OpenWatch>();
  /** Per type: Status objects the next watch requests are answered with (ERROR event, then close). */
  private readonly forcedErrors = new Map<string, Record<string, unknown>[]>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly waiters = new ConditionWaiters();
  private compactAs: 'event' | 'http' = 'event';
  private expireContinue = false;
  /** Cluster IPs handed out (10.96.0.<n>). */
  private clusterIPs = 9;
  private port = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly bearerToken: string,
  ) {
    this.store.onEvent((ev) => this.broadcast(ev));
  }

  static async start(options: { kinds?: readonly FakeKind[]; bearerToken?: string } = {}): Promise<FakeKubeApiServer> {
    const server = http.createServer();
    const fake = new FakeKubeApiServer(server, options.bearerToken ?? 't');
    for (const k of options.kinds ?? []) fake.store.registerKind(k);
    server.on('request', (req, res) => fake.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A KubeConfig pointing at this server with the expected bearer token. */
  kubeConfig(token = this.bearerToken): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake-user', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user' }],
      currentContext: 'fake',
    });
    return kc;
  }

  // ---- changing the cluster -------------------------------------------------

  /** Serves a new resource type (like installing its CRD). */
  registerKind(k: FakeKind): void {
    this.store.registerKind(k);
  }

  /** Stops serving a type (like deleting its CRD); its open watches are closed. */
  unregisterKind(group: string, plural: string): void {
    this.store.unregisterKind(group, plural);
    for (const w of this.openWatches) if (w.kind.group === group && w.kind.plural === plural) w.res.end();
  }

  /** Creates or replaces an object; watchers get ADDED or MODIFIED. Returns the stored copy. */
  put(obj: FakeObject): FakeObject {
    return this.store.put(obj).object;
  }

  /** Deletes an object; watchers get DELETED. */
  delete(apiVersion: string, kind: string, name: string, namespace?: string): FakeObject {
    return this.store.remove(apiVersion, kind, name, namespace);
  }

  /** Sends a BOOKMARK at the current resourceVersion to open watches of a type that asked for bookmarks. */
  bookmark(apiVersion: string, kind: string): string {
    const k = this.store.kindOf(apiVersion, kind);
    const rv = String(this.store.resourceVersion);
    for (const w of this.watchesOf(k)) {
      if (w.bookmarks) this.send(w.res, 'BOOKMARK', { kind: k.kind, apiVersion: apiVersionOf(k), metadata: { resourceVersion: rv } });
    }
    return rv;
  }

  /** The next watch request of this type gets an ERROR event with a 410 Expired Status, then is closed. */
  expireNextWatch(apiVersion: string, kind: string): void {
    this.forceWatchError(apiVersion, kind, status(410, 'Expired', 'too old resource version'));
  }

  /** The next `count` watch requests of this type get an ERROR event with a 500 InternalError Status, then are closed. */
  failNextWatches(apiVersion: string, kind: string, count = 1): void {
    for (let i = 0; i < count; i++) this.forceWatchError(apiVersion, kind, status(500, 'InternalError', 'etcdserver: request timed out'));
  }

  /** Sends an ERROR event (410 Expired or 500 InternalError Status) on the open watches of a type, then closes them. */
  sendWatchError(apiVersion: string, kind: string, code: 410 | 500): number {
    const k = this.store.kindOf(apiVersion, kind);
    const st = code === 410 ? status(410, 'Expired', 'too old resource version') : status(500, 'InternalError', 'etcdserver: request timed out');
    const open = this.watchesOf(k);
    for (const w of open) {
      this.send(w.res, 'ERROR', st);
      w.res.end();
    }
    return open.length;
  }

  private forceWatchError(apiVersion: string, kind: string, st: Record<string, unknown>): void {
    const k = this.store.kindOf(apiVersion, kind);
    const key = `${k.group}|${k.plural}`;
    this.forcedErrors.set(key, [...(this.forcedErrors.get(key) ?? []), st]);
  }

  /** Forgets the history: watches from an older resourceVersion get 410 (an ERROR event, or an HTTP 410 answer). */
  compact(as: 'event' | 'http' = 'event'): void {
    this.compactAs = as;
    this.store.compact();
  }

  /** Advances the global resourceVersion (churn in types nobody watches). */
  bumpResourceVersion(): string {
    return String(this.store.bump());
  }

  /** Ends open watches (all, or of one type): cleanly, or by destroying the connection. */
  dropWatches(options: { apiVersion?: string; kind?: string; abrupt?: boolean } = {}): number {
    const k = options.apiVersion && options.kind ? this.store.kindOf(options.apiVersion, options.kind) : undefined;
    let n = 0;
    for (const w of k ? this.watchesOf(k) : [...this.openWatches]) {
      if (options.abrupt) w.res.socket?.destroy();
      else w.res.end();
      n++;
    }
    return n;
  }

  /** The next list request that presents a continue token gets 410 Expired (as if the snapshot was compacted). */
  expireNextContinue(): void {
    this.expireContinue = true;
  }

  /**
   * The next `count` server-side applies (of whole objects, of status, or either: the
   * default) are answered with this error (default 500 InternalError) and change nothing.
   */
  failNextApplies(count = 1, code: 403 | 409 | 422 | 500 = 500, target: ApplyTarget = 'any'): void {
    const reasons = { 403: 'Forbidden', 409: 'Conflict', 422: 'Invalid', 500: 'InternalError' } as const;
    for (let i = 0; i < count; i++) this.applyFailures.push({ target, status: status(code, reasons[code], `fake apply failure ${code}`) });
  }

  /** Makes `token` authenticate as `identity` in TokenReviews. */
  setToken(token: string, identity: FakeTokenIdentity): void {
    this.tokens.set(token, identity);
  }

  // ---- observing the client ---------------------------------------------------

  /** Watch requests received for a type, in order. */
  watchRequests(apiVersion: string, kind: string): RecordedRequest[] {
    const k = this.store.kindOf(apiVersion, kind);
    return this.requests.filter((r) => r.watch && parseRoute(r.path)?.plural === k.plural && parseRoute(r.path)?.group === k.group);
  }

  /** List (non-watch GET) requests received for a type, in order. */
  listRequests(apiVersion: string, kind: string): RecordedRequest[] {
    const k = this.store.kindOf(apiVersion, kind);
    return this.requests.filter((r) => !r.watch && r.method === 'GET' && parseRoute(r.path)?.plural === k.plural && parseRoute(r.path)?.group === k.group);
  }

  openWatchCount(apiVersion?: string, kind?: string): number {
    if (apiVersion && kind) return this.watchesOf(this.store.kindOf(apiVersion, kind)).length;
    return this.openWatches.size;
  }

  /**
   * Resolves with the first truthy value of `check`, re-evaluated after every request,
   * opened or closed watch, and object change. No timers: a test that never gets there
   * fails by the test runner's timeout.
   */
  waitFor<T>(check: () => T | undefined | false | null | 0): Promise<T> {
    return this.waiters.waitFor(check);
  }

  async close(): Promise<void> {
    for (const w of this.openWatches) w.res.end();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.waiters.clear();
  }

  // ---- HTTP -----------------------------------------------------------------------

  private notify(): void {
    this.waiters.notify();
  }

  private watchesOf(k: FakeKind): OpenWatch[] {
    return [...this.openWatches].filter((w) => w.kind.group === k.group && w.kind.plural === k.plural);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, watch });
    try {
      if (req.headers.authorization !== `Bearer ${this.bearerToken}`) {
        this.json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
      const route = parseRoute(url.pathname);
      if (req.method === 'POST' && route && route.group === 'authentication.k8s.io' && route.version === 'v1' && route.plural === 'tokenreviews' && !route.name) {
        this.tokenReview(req, res);
        return;
      }
      if (route?.subresource !== undefined) {
        const statusKind = route.subresource === 'status' && STATUS_APPLY_KINDS.some((k) => k.group === route.group && k.plural === route.plural)
          ? this.store.kindByPath(route.group, route.version, route.plural) : undefined;
        if (req.method === 'PATCH' && statusKind) this.applyStatus(req, res, statusKind, route, url);
        else this.json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
        return;
      }
      if (req.method === 'PATCH' && route?.namespace !== undefined && route.name !== undefined) {
        const applyKind = APPLY_KINDS.find((k) => k.group === route.group && k.version === route.version && k.plural === route.plural);
        if (applyKind) {
          this.store.registerKind(applyKind);
          this.apply(req, res, applyKind, route, url);
          return;
        }
      }
      const kind = route ? this.store.kindByPath(route.group, route.version, route.plural) : undefined;
      if (!route || !kind || (route.namespace !== undefined && !kind.namespaced)) {
        this.json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
        return;
      }
      if (req.method !== 'GET') {
        this.json(res, 405, status(405, 'MethodNotAllowed', `${req.method} is not supported by the fake`));
        return;
      }
      if (route.name !== undefined) this.getOne(res, kind, route);
      else if (watch) this.watch(req, res, kind, route.namespace, url.searchParams);
      else this.list(res, kind, route.namespace, url.searchParams);
    } finally {
      this.notify();
    }
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private getOne(res: http.ServerResponse, kind: FakeKind, route: Route): void {
    const o = this.store.get(kind, route.name!, route.namespace);
    if (!o) this.json(res, 404, status(404, 'NotFound', `${kind.plural} "${route.name}" not found`));
    else this.json(res, 200, o);
  }

  private list(res: http.ServerResponse, kind: FakeKind, namespace: string | undefined, q: URLSearchParams): void {
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let snap: Snapshot;
    if (cont) {
      const s = this.expireContinue ? undefined : this.snapshots.get(cont);
      this.expireContinue = false;
      if (!s) {
        this.json(res, 410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
        return;
      }
      this.snapshots.delete(cont);
      snap = s;
    } else {
      snap = { kind, items: this.store.list(kind, namespace), rv: this.store.resourceVersion, offset: 0 };
    }
    const end = limit > 0 ? Math.min(snap.items.length, snap.offset + limit) : snap.items.length;
    const metadata: Record<string, string> = { resourceVersion: String(snap.rv) };
    if (end < snap.items.length) {
      const token = randomUUID();
      this.snapshots.set(token, { ...snap, offset: end });
      metadata.continue = token;
    }
    this.json(res, 200, {
      kind: `${kind.kind}List`,
      apiVersion: apiVersionOf(kind),
      metadata,
      items: snap.items.slice(snap.offset, end).map(stripTypeMeta),
    });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, kind: FakeKind, namespace: string | undefined, q: URLSearchParams): void {
    const rvParam = q.get('resourceVersion') ?? '';
    const from = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    if (from !== undefined && !Number.isInteger(from)) {
      this.json(res, 400, status(400, 'BadRequest', `invalid resourceVersion "${rvParam}"`));
      return;
    }
    const forced = this.forcedErrors.get(`${kind.group}|${kind.plural}`)?.shift();
    const tooOld = from !== undefined && from < this.store.compactedBelow;
    if (tooOld && !forced && this.compactAs === 'http') {
      this.json(res, 410, status(410, 'Gone', `too old resource version: ${from} (${this.store.compactedBelow})`));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    if (forced || tooOld) {
      this.send(res, 'ERROR', forced ?? status(410, 'Expired', `too old resource version: ${from ?? 0} (${this.store.compactedBelow})`));
      res.end();
      return;
    }
    if (from === undefined) {
      for (const o of this.store.list(kind, namespace)) this.send(res, 'ADDED', o);
    } else {
      for (const ev of this.store.eventsSince(kind, from, namespace)) this.send(res, ev.type, ev.object);
    }
    const w: OpenWatch = { kind, namespace, bookmarks: q.get('allowWatchBookmarks') === 'true', res };
    this.openWatches.add(w);
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000).unref() : undefined;
    const closed = (): void => {
      clearTimeout(timer);
      if (this.openWatches.delete(w)) this.notify();
    };
    res.on('close', closed);
    req.on('close', closed);
  }

  private broadcast(ev: StoredEvent): void {
    for (const w of this.watchesOf(ev.kind)) {
      if (w.namespace === undefined || w.namespace === ev.object.metadata.namespace) this.send(w.res, ev.type, ev.object);
    }
    this.notify();
  }

  private send(res: http.ServerResponse, type: string, object: unknown): void {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  }

  /**
   * Reads an apply request, records it and checks what every apply must be (queued
   * failure, content type, fieldManager, a body naming the URL's object); `then` gets a
   * valid body and answers.
   */
  private receiveApply(
    req: http.IncomingMessage, res: http.ServerResponse, kind: FakeKind, route: Route, url: URL, target: Exclude<ApplyTarget, 'any'>,
    then: (body: FakeObject, meta: FakeObject['metadata'], answer: (code: number, out: unknown) => void) => void,
  ): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      let body: FakeObject | undefined;
      try {
        const parsed: unknown = parseYaml(Buffer.concat(chunks).toString('utf8'));
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as FakeObject;
      } catch {
        body = undefined;
      }
      const q = url.searchParams;
      const record: RecordedApply = { path: url.pathname, contentType, fieldManager: q.get('fieldManager'), force: q.get('force'), body, status: 0 };
      this.applies.push(record);
      const answer = (code: number, out: unknown): void => {
        record.status = code;
        this.json(res, code, out);
        this.notify();
      };
      const failureAt = this.applyFailures.findIndex((f) => f.target === 'any' || f.target === target);
      const failure = failureAt < 0 ? undefined : this.applyFailures.splice(failureAt, 1)[0]!.status;
      if (failure) return answer(failure.code as number, failure);
      if (contentType !== APPLY_PATCH) return answer(415, status(415, 'UnsupportedMediaType', `the fake only accepts ${APPLY_PATCH} patches, not ${contentType}`));
      if (!record.fieldManager) return answer(400, status(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
      const meta = body?.metadata;
      if (!body || !meta || body.apiVersion !== apiVersionOf(kind) || body.kind !== kind.kind || meta.name !== route.name || (meta.namespace ?? route.namespace) !== route.namespace) {
        return answer(400, status(400, 'BadRequest', 'the body is not the object named by the URL (apiVersion, kind, metadata.name, metadata.namespace)'));
      }
      then(body, meta, answer);
    });
  }

  private apply(req: http.IncomingMessage, res: http.ServerResponse, kind: FakeKind, route: Route, url: URL): void {
    this.receiveApply(req, res, kind, route, url, 'object', (body, meta, answer) => {
      const obj = kind.kind === 'Service' ? this.withClusterIP(body, route) : body;
      answer(200, this.store.put({ ...obj, metadata: { ...meta, namespace: route.namespace } }).object);
    });
  }

  /** A Service keeps its cluster IP, or gets the next one, when the applied body has none. */
  private withClusterIP(body: FakeObject, route: Route): FakeObject {
    const spec = (body.spec ?? {}) as Record<string, unknown>;
    if (spec.clusterIP !== undefined || spec.type === 'ExternalName') return body;
    const stored = this.store.get(this.store.kindOf('v1', 'Service'), route.name!, route.namespace);
    const kept = (stored?.spec as Record<string, unknown> | undefined)?.clusterIP;
    return { ...body, spec: { ...spec, clusterIP: typeof kept === 'string' ? kept : `10.96.0.${++this.clusterIPs}` } };
  }

  /** A status subresource apply: only .status changes; never creates; an unchanged status is a no-op. */
  private applyStatus(req: http.IncomingMessage, res: http.ServerResponse, kind: FakeKind, route: Route, url: URL): void {
    this.receiveApply(req, res, kind, route, url, 'status', (body, _meta, answer) => {
      const stored = this.store.get(kind, route.name!, route.namespace);
      if (!stored) return answer(404, status(404, 'NotFound', `${kind.plural}.${kind.group} "${route.name}" not found`));
      const next: unknown = body.status ?? {};
      if (isDeepStrictEqual(stored.status ?? {}, next)) return answer(200, stored);
      answer(200, this.store.put({ ...stored, status: next }).object);
    });
  }

  private tokenReview(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let spec: { token?: unknown; audiences?: unknown } = {};
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { spec?: typeof spec };
        spec = body.spec ?? {};
      } catch {
        this.json(res, 400, status(400, 'BadRequest', 'body is not JSON'));
        return;
      }
      const token = typeof spec.token === 'string' ? spec.token : '';
      const requested = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
      this.tokenReviews.push({ token, audiences: requested });
      const id = this.tokens.get(token);
      let reviewStatus: Record<string, unknown>;
      if (!id) {
        reviewStatus = { authenticated: false, user: {}, error: '[invalid bearer token, token lookup failed]' };
      } else {
        const issued = id.audiences ?? [API_SERVER_AUDIENCE];
        const granted = requested.length > 0 ? requested.filter((a) => issued.includes(a)) : issued;
        reviewStatus =
          granted.length === 0
            ? { authenticated: false, user: {}, error: `[invalid bearer token, token audiences ${JSON.stringify(issued)} is invalid for the target audiences ${JSON.stringify(requested)}]` }
            : { authenticated: true, user: { username: id.username, uid: id.uid ?? randomUUID(), groups: id.groups ?? [], extra: id.extra ?? {} }, audiences: granted };
      }
      this.json(res, 201, {
        kind: 'TokenReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { token, ...(requested.length > 0 ? { audiences: requested } : {}) },
        status: reviewStatus,
      });
      this.notify();
    });
  }
}
