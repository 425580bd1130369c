// The one table `make bench` prints: id, case, metric, Ambit, baseline, ratio/difference,
// goal, met?. A result whose goal is empty is informational: goal and met? show "-".
import type { BenchResult } from '../result.js';

const HEADERS = ['id', 'case', 'metric', 'Ambit', 'baseline', 'ratio / diff', 'goal', 'met?'];

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  const digits = abs >= 100 || Number.isInteger(n) ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function withUnit(n: number, unit: string): string {
  const v = formatNumber(n);
  return v === '-' || unit === '' ? v : `${v} ${unit}`;
}

function comparison(r: BenchResult): string {
  if (r.baseline === undefined || !Number.isFinite(r.baseline) || !Number.isFinite(r.ambit)) return '';
  const diff = r.ambit - r.baseline;
  const ratio = r.baseline !== 0 ? `x${(r.ambit / r.baseline).toFixed(2)}` : '';
  const sign = diff > 0 ? '+' : '';
  return [ratio, `${sign}${withUnit(diff, r.unit)}`].filter((s) => s !== '').join(' / ');
}

export function resultRow(r: BenchResult): string[] {
  const baseline = r.baseline === undefined ? '' : `${withUnit(r.baseline, r.unit)}${r.baselineName ? ` (${r.baselineName})` : ''}`;
  const goal = r.goal === '' ? '-' : `${r.goal}${r.unit && !r.goal.includes(' ' + r.unit) ? ` ${r.unit}` : ''}`;
  const met = r.goal === '' ? '-' : r.met ? 'yes' : 'NO';
  return [r.id, r.case, r.metric, withUnit(r.ambit, r.unit), baseline, comparison(r), goal, met];
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = [HEADERS, ...results.map(resultRow)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(HEADERS), rule, ...results.map((r) => line(resultRow(r)))].join('\n');
}
