// Shared set-up for the Kubernetes source tests: a fake API server serving the kinds
// Ambit watches, a KubeSource pointed at it with fast retries, a recording sink and a
// captured log. Everything is torn down by t.teardown.
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { CLUSTER_SCOPED_KINDS } from '../../../controller/config/resource.js';
import { WATCHED_KINDS, type WatchedKind } from '../../../controller/sources/kube/kinds.js';
import { KubeSource, type KubeSourceOptions } from '../../../controller/sources/kube/kube-source.js';
import { FakeKubeApiServer, type FakeKind, type FakeObject } from '../../support/fake-kube-apiserver.js';
import { RecordingSink } from './recording-sink.js';

export const POD = WATCHED_KINDS.find((k) => k.kind === 'Pod')!;
export const TELEMETRY = WATCHED_KINDS.find((k) => k.kind === 'Telemetry')!;

export function fakeKind(k: WatchedKind): FakeKind {
  return { ...k, namespaced: !CLUSTER_SCOPED_KINDS.has(k.kind) };
}

export interface LogLine {
  level: number;
  msg: string;
  origin?: string;
  [field: string]: unknown;
}

export interface Harness {
  fake: FakeKubeApiServer;
  source: KubeSource;
  sink: RecordingSink;
  logs: LogLine[];
}

export async function harness(
  t: ExecutionContext,
  options: { serve?: readonly WatchedKind[]; watch?: readonly WatchedKind[]; objects?: FakeObject[]; source?: Partial<KubeSourceOptions> } = {},
): Promise<Harness> {
  const fake = await FakeKubeApiServer.start({ kinds: (options.serve ?? WATCHED_KINDS).map(fakeKind) });
  t.teardown(() => fake.close());
  for (const o of options.objects ?? []) fake.put(o);
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      cb();
    },
  });
  const source = new KubeSource({
    kubeConfig: fake.kubeConfig(),
    logger: pino({ level: 'debug' }, stream),
    kinds: options.watch ?? WATCHED_KINDS,
    backoff: { initialMs: 5, maxMs: 50 },
    missingKindRetryMs: 20,
    ...options.source,
  });
  t.teardown(() => source.stop());
  return { fake, source, sink: new RecordingSink(), logs };
}

export function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): FakeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { serviceAccountName: 'default', nodeName: 'node-a' } };
}

/** The resourceVersion query parameter of the n-th (1-based) watch request of a kind. */
export async function nthWatchRv(fake: FakeKubeApiServer, k: WatchedKind, n: number): Promise<string> {
  const apiVersion = k.group === '' ? k.version : `${k.group}/${k.version}`;
  const req = await fake.waitFor(() => fake.watchRequests(apiVersion, k.kind)[n - 1]);
  return req.query.get('resourceVersion') ?? '';
}
