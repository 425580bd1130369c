// The result recorded for a case that failed to run: the run goes on, the report says so.
import type { BenchResult } from '../result.js';

export function failureResult(id: string, name: string, error: string, extra: Record<string, unknown> = {}): BenchResult {
  return {
    id,
    case: name,
    metric: 'case failed to run',
    unit: '',
    ambit: Number.NaN,
    goal: 'runs to completion',
    met: false,
    raw: { error, ...extra },
  };
}
