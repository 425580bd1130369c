// A VirtualService route's mirrors → L7 (rule 77): `mirror` with `mirrorPercentage`
// (absent: 100 %; the deprecated integer `mirrorPercent` when that is all there is), or
// `mirrors[]`, each with its own `percentage` (absent: 100 %). An explicit 0 mirrors
// nothing. Both `mirror` and `mirrors` on one route is invalid (validation says so);
// here `mirrors` wins, with a warning.
import type { L7Mirror } from '../../../api/l7-model.js';
import type { Rec } from './common.js';
import { clampPercent, int, list, rec } from './common.js';
import type { Warn } from './vs-actions.js';
import { routeDestinations } from './vs-actions.js';

function percentage(v: unknown, fallback: number): number {
  const value = rec(v)?.value;
  if (typeof value === 'number' && value >= 0 && value <= 100) return value;
  return fallback;
}

function mirrorOf(destination: unknown, pct: number, namespace: string, path: string, warn: Warn): L7Mirror | undefined {
  const [d] = routeDestinations([{ destination }], namespace, path, warn, { http: false });
  if (!d) return undefined;
  return { destination: { ...d, weight: 1 }, percentage: pct };
}

export function istioMirrors(r: Rec, namespace: string, path: string, warn: Warn): L7Mirror[] | undefined {
  const out: L7Mirror[] = [];
  if (r.mirrors !== undefined && r.mirrors !== null) {
    if (r.mirror !== undefined && r.mirror !== null) warn(`${path}.mirror`, 'mirror and mirrors are mutually exclusive: mirror is ignored');
    list(r.mirrors).forEach((item, i) => {
      const m = rec(item);
      const mirror = m ? mirrorOf(m.destination, percentage(m.percentage, 100), namespace, `${path}.mirrors[${i}]`, warn) : undefined;
      if (mirror) out.push(mirror);
    });
  } else if (rec(r.mirror)) {
    const legacy = int(r.mirrorPercent);
    const pct = r.mirrorPercentage !== undefined ? percentage(r.mirrorPercentage, 100) : legacy !== undefined ? clampPercent(legacy) : 100;
    const mirror = mirrorOf(r.mirror, pct, namespace, `${path}.mirror`, warn);
    if (mirror) out.push(mirror);
  }
  const used = out.filter((m) => m.percentage > 0);
  return used.length > 0 ? used : undefined;
}
