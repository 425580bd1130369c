// Weighted destination choice (rule 71), with a seeded generator so the counts are
// reproducible.
import test from 'ava';
import type { L7Destination } from '../../../api/l7-model.js';
import { pickWeighted } from '../../../waypoint/engine/index.js';
import { dest, rng } from './support.js';

const PICKS = 10_000;

const share = (dests: L7Destination[], seed: number): Map<string, number> => {
  const random = rng(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < PICKS; i++) {
    const d = pickWeighted(dests, random);
    counts.set(d.subset ?? '', (counts.get(d.subset ?? '') ?? 0) + 1);
  }
  return new Map([...counts].map(([k, n]) => [k, n / PICKS]));
};

const cases: { title: string; dests: L7Destination[]; want: Record<string, number> }[] = [
  { title: 'rule 71: 80/20 over 10,000 picks lands within 2 %', dests: [dest('v1', 80), dest('v2', 20)], want: { v1: 0.8, v2: 0.2 } },
  { title: 'rule 71: weights are relative (3/1 is 75/25)', dests: [dest('v1', 3), dest('v2', 1)], want: { v1: 0.75, v2: 0.25 } },
  { title: 'rule 71: weights need not sum to 100 (50/50/50 is thirds)', dests: [dest('a', 50), dest('b', 50), dest('c', 50)], want: { a: 1 / 3, b: 1 / 3, c: 1 / 3 } },
  { title: 'rule 71: weight 0 gets nothing', dests: [dest('v1', 100), dest('v2', 0)], want: { v1: 1 } },
  { title: 'rule 71: a weight-0 destination in the middle is skipped', dests: [dest('a', 1), dest('b', 0), dest('c', 1)], want: { a: 0.5, c: 0.5 } },
  { title: 'rule 71: a single destination gets everything whatever its weight', dests: [dest('only', 0)], want: { only: 1 } },
  { title: 'rule 99: a 90/10 split between two backends', dests: [dest('r1', 90), dest('r2', 10)], want: { r1: 0.9, r2: 0.1 } },
];
for (const c of cases) {
  test(c.title, (t) => {
    const got = share(c.dests, 42);
    t.deepEqual([...got.keys()].sort(), Object.keys(c.want).sort());
    for (const [k, want] of Object.entries(c.want)) {
      const v = got.get(k) ?? 0;
      t.true(Math.abs(v - want) <= 0.02, `${k}: ${v} vs ${want}`);
    }
  });
}

test('rule 71: the boundaries of random() map to the first and last positive destinations', (t) => {
  const ds = [dest('a', 0), dest('b', 1), dest('c', 1), dest('d', 0)];
  t.is(pickWeighted(ds, () => 0).subset, 'b');
  t.is(pickWeighted(ds, () => 0.999999).subset, 'c');
  t.is(pickWeighted(ds, () => 1).subset, 'c'); // a generator returning 1 still picks a positive one
  t.throws(() => pickWeighted([], () => 0));
  t.throws(() => pickWeighted([dest('a', 0), dest('b', 0)], () => 0));
});
