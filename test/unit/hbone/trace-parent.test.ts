import test from 'ava';
import { isTraceparent, newTraceparent } from '../../../daemon/hbone/trace-parent.js';

test('fresh traceparents are well-formed, not sampled, and distinct across pool refills', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const value = newTraceparent();
    t.true(isTraceparent(value), value);
    t.true(value.startsWith('00-') && value.endsWith('-00'), value);
    seen.add(value.slice(3, 35));
    seen.add(value.slice(36, 52));
  }
  t.is(seen.size, 2000, 'every trace id and span id differs from every other');
});

test('trace and span ids are not all zeros (invalid in W3C trace context)', (t) => {
  for (let i = 0; i < 200; i++) {
    const [, trace, span] = newTraceparent().split('-');
    t.not(trace, '0'.repeat(32));
    t.not(span, '0'.repeat(16));
  }
});
