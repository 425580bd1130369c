// Round robin over a service's healthy endpoints, one cursor per service.
import type { Workload } from '../../api/model.js';
import type { EndpointPicker } from './outbound-plan.js';

export function roundRobin(): EndpointPicker {
  const cursors = new Map<string, number>();
  return (key, candidates) => {
    const n = cursors.get(key) ?? 0;
    cursors.set(key, (n + 1) % 1_000_000);
    const sorted = candidates.length > 1 ? [...candidates].sort((a: Workload, b: Workload) => (a.uid < b.uid ? -1 : 1)) : candidates;
    return sorted[n % sorted.length]!;
  };
}
