// The latency picture of `make bench` (pure: chart data → SVG text): p50, p90 and p99
// latency against the request rate, one colour per series (direct, haproxy pair, Ambit),
// one line style per percentile; linear rate axis, logarithmic latency axis (1-2-5 ticks).
// Points that cannot be drawn (NaN, infinite: unanswered requests, or <= 0) are left out
// and counted in a note under the plot.

export const PERCENTILES = ['p50', 'p90', 'p99'] as const;
export type Percentile = (typeof PERCENTILES)[number];

export interface LatencyPoint {
  /** Requests per second (the x axis). */
  rate: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface LatencySeries {
  name: string;
  /** CSS colour; default from the palette by position. */
  color?: string;
  points: LatencyPoint[];
}

export interface LatencyChart {
  title: string;
  subtitle?: string;
  /** Small print at the bottom right (e.g. when the run was). */
  footnote?: string;
  xLabel?: string;
  yLabel?: string;
  series: LatencySeries[];
}

const WIDTH = 800;
const HEIGHT = 500;
const MARGIN = { left: 72, right: 190, top: 70, bottom: 72 };
const PALETTE = ['#4d4d4d', '#e08214', '#1b7837', '#2166ac', '#b2182b', '#762a83'];
const STROKE: Record<Percentile, { dash: string; width: number }> = {
  p50: { dash: '', width: 2 },
  p90: { dash: '7 4', width: 2 },
  p99: { dash: '2 3', width: 2 },
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Shortest decimal text of a number (for tick labels): 0.05, 0.2, 1, 20, 2000. */
export function tickLabel(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** 1-2-5 ticks in [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(1));
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** The largest 1-2-5 value <= v and the smallest >= v (the latency axis' ends). */
export function niceBounds(min: number, max: number): { lo: number; hi: number } {
  const steps = (v: number): number[] => {
    const k = Math.floor(Math.log10(v));
    return [1, 2, 5, 10, 20].map((m) => Number((m * 10 ** k).toPrecision(1)));
  };
  const lo = [...steps(min)].reverse().find((c) => c <= min * 1.000001) ?? min;
  let hi = steps(max).find((c) => c >= max / 1.000001) ?? max;
  if (hi <= lo) hi = steps(lo).find((c) => c > lo) ?? lo * 2;
  return { lo, hi };
}

const drawable = (v: number): boolean => Number.isFinite(v) && v > 0;
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

export function latencySvg(chart: LatencyChart): string {
  const plot = { x0: MARGIN.left, x1: WIDTH - MARGIN.right, y0: HEIGHT - MARGIN.bottom, y1: MARGIN.top };
  const values = chart.series.flatMap((s) => s.points.flatMap((p) => PERCENTILES.map((q) => p[q]))).filter(drawable);
  const rates = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.rate)).filter((r) => Number.isFinite(r) && r >= 0))].sort((a, b) => a - b);
  const skipped = chart.series.reduce((n, s) => n + s.points.reduce((m, p) => m + PERCENTILES.filter((q) => !drawable(p[q]) || !Number.isFinite(p.rate)).length, 0), 0);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(chart.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`);
  if (chart.subtitle) out.push(`<text class="subtitle" x="${WIDTH / 2}" y="44" text-anchor="middle" fill="#555555">${escapeXml(chart.subtitle)}</text>`);

  const xLabel = chart.xLabel ?? 'requests per second';
  const yLabel = chart.yLabel ?? 'latency (ms, log scale)';
  out.push(`<text class="axis-label x" x="${(plot.x0 + plot.x1) / 2}" y="${HEIGHT - 24}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<text class="axis-label y" x="18" y="${(plot.y0 + plot.y1) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(plot.y0 + plot.y1) / 2})">${escapeXml(yLabel)}</text>`);

  const frame = `<rect class="plot" x="${plot.x0}" y="${plot.y1}" width="${plot.x1 - plot.x0}" height="${plot.y0 - plot.y1}" fill="none" stroke="#000000"/>`;
  if (values.length === 0 || rates.length === 0) {
    out.push(frame);
    out.push(`<text class="no-data" x="${(plot.x0 + plot.x1) / 2}" y="${(plot.y0 + plot.y1) / 2}" text-anchor="middle" fill="#999999">no data</text>`);
    out.push('</svg>');
    return `${out.join('\n')}\n`;
  }

  const { lo, hi } = niceBounds(Math.min(...values), Math.max(...values));
  const xMax = rates[rates.length - 1]! * 1.08 || 1;
  const x = (rate: number): number => plot.x0 + (rate / xMax) * (plot.x1 - plot.x0);
  const y = (ms: number): number => plot.y0 - ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (plot.y0 - plot.y1);

  out.push('<g class="y-ticks">');
  for (const v of logTicks(lo, hi)) {
    const yy = fmt(y(v));
    out.push(`<line x1="${plot.x0}" y1="${yy}" x2="${plot.x1}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${plot.x0 - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${tickLabel(v)}</text>`);
  }
  out.push('</g>');
  out.push('<g class="x-ticks">');
  for (const r of rates) {
    const xx = fmt(x(r));
    out.push(`<line x1="${xx}" y1="${plot.y0}" x2="${xx}" y2="${plot.y0 + 5}" stroke="#000000"/>`);
    out.push(`<text x="${xx}" y="${plot.y0 + 18}" text-anchor="middle">${tickLabel(r)}</text>`);
  }
  out.push('</g>');
  out.push(frame); // over the grid lines

  chart.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    const sorted = [...s.points].filter((p) => Number.isFinite(p.rate)).sort((a, b) => a.rate - b.rate);
    out.push(`<g class="series" data-series="${escapeXml(s.name)}">`);
    for (const q of PERCENTILES) {
      const pts = sorted.filter((p) => drawable(p[q])).map((p) => `${fmt(x(p.rate))},${fmt(y(p[q]))}`);
      const dash = STROKE[q].dash ? ` stroke-dasharray="${STROKE[q].dash}"` : '';
      if (pts.length >= 2) out.push(`<polyline data-percentile="${q}" points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="${STROKE[q].width}"${dash}/>`);
      for (const p of pts) {
        const [cx, cy] = p.split(',');
        out.push(`<circle data-percentile="${q}" cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
      }
    }
    out.push('</g>');
  });

  // Legend: series colours, then percentile line styles.
  const lx = plot.x1 + 20;
  let ly = plot.y1 + 8;
  out.push('<g class="legend">');
  chart.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    out.push(`<rect x="${lx}" y="${ly - 6}" width="14" height="12" fill="${color}"/>`);
    out.push(`<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    ly += 22;
  });
  ly += 10;
  for (const q of PERCENTILES) {
    const dash = STROKE[q].dash ? ` stroke-dasharray="${STROKE[q].dash}"` : '';
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 30}" y2="${ly}" stroke="#000000" stroke-width="${STROKE[q].width}"${dash}/>`);
    out.push(`<text x="${lx + 38}" y="${ly}" dominant-baseline="middle">${q}</text>`);
    ly += 22;
  }
  out.push('</g>');
  if (chart.footnote) out.push(`<text class="footnote" x="${WIDTH - 8}" y="${HEIGHT - 6}" text-anchor="end" font-size="10" fill="#777777">${escapeXml(chart.footnote)}</text>`);
  if (skipped > 0) {
    out.push(`<text class="note" x="${plot.x0}" y="${HEIGHT - 6}" fill="#b2182b">${skipped} point(s) not drawn (unanswered requests or no value)</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Whether `v` has the shape of a LatencyChart (read back from a result's raw figures). */
export function isLatencyChart(v: unknown): v is LatencyChart {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as { title?: unknown; series?: unknown };
  if (typeof c.title !== 'string' || !Array.isArray(c.series)) return false;
  return c.series.every((s: unknown) => {
    if (typeof s !== 'object' || s === null) return false;
    const t = s as { name?: unknown; points?: unknown };
    return typeof t.name === 'string' && Array.isArray(t.points) && t.points.every((p: unknown) =>
      typeof p === 'object' && p !== null && ['rate', ...PERCENTILES].every((k) => typeof (p as Record<string, unknown>)[k] === 'number' || (p as Record<string, unknown>)[k] === null));
  });
}
