// When a certificate is renewed: at a fraction of its lifetime (Istio: 50 %), measured
// from notBefore, but never sooner than MIN_ROTATION_DELAY_MS after it was obtained
// (a lifetime shorter than the CA's backdating would otherwise renew in a loop).
import type { WorkloadCertificate } from './workload-certificate.js';

export const MIN_ROTATION_DELAY_MS = 1000;

export function rotationTime(cert: Pick<WorkloadCertificate, 'notBefore' | 'notAfter'>, rotateAt: number, nowMs: number): number {
  const from = cert.notBefore.getTime();
  const planned = from + rotateAt * (cert.notAfter.getTime() - from);
  return Math.max(planned, nowMs + MIN_ROTATION_DELAY_MS);
}
