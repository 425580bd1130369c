// One measured figure of `make bench`: always Ambit's value next to a baseline measured
// in the same run (or the goal alone when there is no baseline), plus the raw numbers.

export interface BenchResult {
  id: string;            // case id from the issue, e.g. "B7"
  case: string;          // human name, e.g. "CA issuance"
  metric: string;        // e.g. "CSRs signed per second (one core)"
  unit: string;          // e.g. "1/s", "ms", "MB"
  ambit: number;
  baseline?: number;     // same metric for the baseline, same run
  baselineName?: string; // e.g. "direct", "haproxy pair"
  goal: string;          // e.g. ">= 2000", "< 200"
  met: boolean;
  raw: Record<string, unknown>; // every sample and percentile behind the figure
}
