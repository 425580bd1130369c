// Counters read from a Prometheus text exposition (the waypoint's /metrics, B6).

/** The sum of a counter's samples in a Prometheus text exposition. */
export function counterSum(metricsText: string, name: string): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** istio_requests_total summed by "<response_code> <response_flags>" from a Prometheus text exposition. */
export function requestsByCode(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('istio_requests_total{')) continue;
    const code = /response_code="([^"]*)"/.exec(line)?.[1] ?? '?';
    const flags = /response_flags="([^"]*)"/.exec(line)?.[1] ?? '?';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) out[`${code} ${flags}`] = (out[`${code} ${flags}`] ?? 0) + value;
  }
  return out;
}
