// Duration strings as Istio resources carry them: Go/CEL style ("1h30m", "500ms", "2.5s",
// "0") which includes protobuf-JSON "1.5s". Parsed exactly (BigInt nanoseconds) so the
// "whole milliseconds only" rule does not depend on float rounding.

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Nanoseconds of a non-negative Go-style duration, or undefined when malformed. */
export function parseDurationNs(s: string): bigint | undefined {
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  COMPONENT.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    COMPONENT.lastIndex = pos;
    const m = COMPONENT.exec(s);
    if (!m) return undefined;
    const [, num = '', unit = ''] = m;
    const scale = NS_PER[unit];
    if (scale === undefined) return undefined;
    const [intPart = '', fracPart = ''] = num.split('.');
    total += BigInt(intPart === '' ? '0' : intPart) * scale;
    if (fracPart !== '') {
      const denom = 10n ** BigInt(fracPart.length);
      total += (BigInt(fracPart) * scale) / denom; // sub-ns remainders truncate, as Go does
    }
    pos = COMPONENT.lastIndex;
  }
  return total;
}

export const MS = 1_000_000n;

export interface DurationRule {
  /** Minimum in nanoseconds (default 1 ms, as istiod's ValidateDuration). */
  minNs?: bigint;
  /** Require whole milliseconds (default true). */
  msPrecision?: boolean;
  /** Require whole seconds (CORS maxAge). */
  secondPrecision?: boolean;
}

/** Error message for an invalid Istio duration string, or undefined. */
export function durationProblem(s: string, rule: DurationRule = {}): string | undefined {
  const ns = parseDurationNs(s);
  if (ns === undefined) return `"${s}" is not a valid duration (use forms like 1s, 500ms, 1m30s)`;
  const min = rule.minNs ?? MS;
  if (ns < min) return min === MS ? `duration "${s}" must be at least 1ms` : `duration "${s}" is below the minimum`;
  if (rule.secondPrecision && ns % 1_000_000_000n !== 0n) return `duration "${s}" is accurate only to seconds precision`;
  if ((rule.msPrecision ?? true) && ns % MS !== 0n) return `duration "${s}": only durations to ms precision are supported`;
  return undefined;
}

/** Gateway API Duration: `^([0-9]{1,5}(h|m|s|ms)){1,4}$`. Returns nanoseconds or undefined. */
export function parseGatewayApiDuration(s: string): bigint | undefined {
  if (!/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(s)) return undefined;
  return parseDurationNs(s);
}
