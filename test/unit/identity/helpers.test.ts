// The identity manager's small pieces: backoff, rotation time, long timers, CA errors.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { AmbitError, isAmbitError, type ErrorCode } from '../../../api/errors.js';
import { backoffDelay } from '../../../daemon/identity/backoff.js';
import { caError } from '../../../daemon/identity/ca-error.js';
import { MIN_ROTATION_DELAY_MS, rotationTime } from '../../../daemon/identity/rotation.js';
import { MAX_TIMER_MS, scheduleAt } from '../../../daemon/identity/scheduler.js';
import { FakeClock } from './support.js';

test('backoff doubles from initialMs, is capped at maxMs, and jitters within the upper half', (t) => {
  const b = { initialMs: 100, maxMs: 1000 };
  t.deepEqual([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(b, n, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  t.deepEqual([1, 5].map((n) => backoffDelay(b, n, () => 0)), [50, 500]);
});

test('rotation is at the given fraction of the lifetime from notBefore, never sooner than a second from now', (t) => {
  const cert = { notBefore: new Date(1_000_000), notAfter: new Date(1_000_000 + 3_600_000) };
  t.is(rotationTime(cert, 0.5, 1_000_000), 1_000_000 + 1_800_000);
  t.is(rotationTime(cert, 0.8, 1_000_000), 1_000_000 + 2_880_000);
  t.is(rotationTime(cert, 0.5, 3_000_000), 3_000_000 + MIN_ROTATION_DELAY_MS);
});

test('scheduleAt chains timers beyond setTimeout\'s limit and can be cancelled', async (t) => {
  const clock = new FakeClock();
  let fired = 0;
  const due = clock.now() + 60 * 24 * 3600_000; // 60 days
  scheduleAt(clock, clock.now, due, () => fired++);
  await clock.advance(MAX_TIMER_MS);
  t.is(fired, 0);
  t.is(clock.pendingTimers, 1, 're-armed');
  await clock.advanceTo(due);
  t.is(fired, 1);
  t.is(clock.pendingTimers, 0);
  const cancel = scheduleAt(clock, clock.now, clock.now() + 10, () => fired++);
  cancel();
  await clock.advance(100);
  t.is(fired, 1);
  t.is(clock.pendingTimers, 0);
});

test('CA refusals over gRPC keep the CA\'s error codes', (t) => {
  const grpcError = (code: grpc.status, details: string): Error => Object.assign(new Error(`${code} ${details}`), { code, details });
  const id = 'spiffe://cluster.local/ns/default/sa/httpbin';
  const cases: [Error, ErrorCode][] = [
    [grpcError(grpc.status.PERMISSION_DENIED, 'no pod'), 'AMBIT_ERR_CA_NOT_AUTHORIZED'],
    [grpcError(grpc.status.UNAUTHENTICATED, 'bad token'), 'AMBIT_ERR_UNAUTHENTICATED'],
    [grpcError(grpc.status.INVALID_ARGUMENT, 'bad CSR'), 'AMBIT_ERR_CSR_INVALID'],
    [grpcError(grpc.status.INVALID_ARGUMENT, 'certificate lifetime 9999999999 s exceeds the maximum'), 'AMBIT_ERR_CA_TTL'],
    [grpcError(grpc.status.UNAVAILABLE, 'No connection established'), 'AMBIT_ERR_CERT_FETCH'],
    [new Error('boom'), 'AMBIT_ERR_CERT_FETCH'],
  ];
  for (const [err, code] of cases) {
    const mapped = caError(err, id);
    t.is(mapped.code, code, err.message);
    t.true(mapped.message.includes(id));
    t.is(mapped.cause, err);
  }
  t.regex(caError(cases[0]![0], id).message, /\(PERMISSION_DENIED\): no pod/);
  const ambit = new AmbitError('AMBIT_ERR_CA_TTL', 'x');
  t.is(caError(ambit, id), ambit);
  t.true(isAmbitError(caError('a string', id), 'AMBIT_ERR_CERT_FETCH'));
});
