// Field-level checks shared by several kinds: durations, port numbers, Istio `Percent`
// objects, IP/CIDR strings and port selectors. Each reports on the field it is given.
import type { DurationRule } from './duration.js';
import { durationProblem } from './duration.js';
import type { Field } from './field.js';
import { ipOrCidr } from './network.js';

/** An Istio duration string (>= 1ms and whole ms unless `rule` says otherwise). */
export function checkDuration(f: Field, rule?: DurationRule): void {
  const s = f.string();
  if (s === undefined) return;
  const err = durationProblem(s, rule);
  if (err) f.error(err);
}

/** A port number 1..65535 (integer). */
export function checkPortNumber(f: Field, opts: { required?: boolean } = {}): number | undefined {
  if (!f.present) {
    if (opts.required) f.error('port number is required');
    return undefined;
  }
  const n = f.integer();
  if (n === undefined) return undefined;
  if (n < 1 || n > 65535) {
    f.error(`port number ${n} must be in the range 1..65535`);
    return undefined;
  }
  return n;
}

/** Istio `Percent {value: double}`: 0, or 0.0001..100 (VAL validatePercentage). */
export function checkPercent(f: Field): number | undefined {
  if (!f.record()) return undefined;
  f.knownKeys(['value']);
  const vf = f.key('value');
  const v = vf.number();
  if (v === undefined) return vf.present ? undefined : 0;
  if (v < 0 || v > 100 || (v > 0 && v < 0.0001)) {
    vf.error(`percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`);
    return undefined;
  }
  return v;
}

/** An IP address or CIDR string. */
export function checkIpOrCidr(f: Field): void {
  const s = f.string();
  if (s === undefined) return;
  const err = ipOrCidr(s);
  if (err) f.error(err);
}

/** Istio PortSelector `{number}`. */
export function checkPortSelector(f: Field): number | undefined {
  if (!f.record()) return undefined;
  f.knownKeys(['number']);
  return checkPortNumber(f.key('number'), { required: true });
}
