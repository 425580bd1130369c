// Mirroring (rule 77): which of a route's mirrors get a copy of this request (each
// sampled on its own by its percentage; random returns [0, 1)), and the authority the
// copy carries: Envoy's shadow host, `-shadow` appended to the host before any port
// (`httpbin:8000` → `httpbin-shadow:8000`), as Istio's mirroring task shows.
import type { L7Mirror } from '../../api/l7-model.js';
import { splitAuthority } from './request.js';

export function pickMirrors(mirrors: readonly L7Mirror[] | undefined, random: () => number): L7Mirror[] {
  if (!mirrors || mirrors.length === 0) return [];
  return mirrors.filter((m) => m.percentage > 0 && random() * 100 < m.percentage);
}

export function shadowAuthority(authority: string): string {
  const { host, port } = splitAuthority(authority);
  return port === '' ? `${host}-shadow` : `${host}-shadow:${port}`;
}
