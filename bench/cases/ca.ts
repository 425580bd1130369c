// B7, CA issuance: how fast the controller's CA turns CSRs into certificates on one
// core (CSR parse + self-signature verify + TBS build + ECDSA sign), and how long a
// node's start-up burst of 110 identities takes. CSRs are generated up front so only
// the CA's work is timed. No baseline exists for this case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCertificateAuthority, type CertificateAuthority } from '../../controller/ca/authority.js';
import { generateKeyAndCsr } from '../../controller/ca/csr-create.js';
import { loadCaMaterial } from '../../controller/ca/root.js';
import type { BenchResult } from '../result.js';

const TRUST_DOMAIN = 'cluster.local';
const THROUGHPUT_GOAL = 2000;  // CSRs per second
const BURST_SIZE = 110;
const BURST_GOAL_MS = 200;

interface Request {
  csr: string;
  identity: string;
}

function requests(count: number, namespace: string): Request[] {
  return Array.from({ length: count }, (_, i) => {
    const identity = `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/sa-${i}`;
    return { identity, csr: generateKeyAndCsr(identity).csrPem };
  });
}

/** Signs per second over `durationMs`, cycling through `reqs` (the loop is synchronous: one core). */
function throughput(ca: CertificateAuthority, reqs: Request[], durationMs: number): { rate: number; signed: number; seconds: number } {
  let signed = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(durationMs * 1e6));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) {
      const r = reqs[signed % reqs.length]!;
      ca.sign(r.csr, r.identity);
      signed++;
    }
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  return { rate: signed / seconds, signed, seconds };
}

function burstMs(ca: CertificateAuthority, reqs: Request[]): number {
  const start = process.hrtime.bigint();
  for (const r of reqs) ca.sign(r.csr, r.identity);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runCaBench(opts: { quick: boolean }): Promise<BenchResult[]> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'ambit-bench-ca-'));
  try {
    const ca = createCertificateAuthority(loadCaMaterial({ stateDir, trustDomain: TRUST_DOMAIN }), { trustDomain: TRUST_DOMAIN });
    const pool = requests(opts.quick ? 200 : 1000, 'bench');
    const durationMs = opts.quick ? 500 : 2000;

    // The burst is measured first, on a CA that has signed nothing yet: a node's
    // start-up is the cold case. Later rounds (fresh CSRs each) show the warm figure.
    const rounds = opts.quick ? 3 : 5;
    const bursts: number[] = [];
    for (let r = 0; r < rounds; r++) bursts.push(burstMs(ca, requests(BURST_SIZE, `burst-${r}`)));

    throughput(ca, pool, opts.quick ? 100 : 300); // warm-up, not reported
    const run = throughput(ca, pool, durationMs);
    await Promise.resolve();

    const sortedBursts = [...bursts].sort((a, b) => a - b);
    const worstBurst = sortedBursts[sortedBursts.length - 1]!;
    return [
      {
        id: 'B7',
        case: 'CA issuance',
        metric: 'CSRs signed per second (one core, verify + sign)',
        unit: '1/s',
        ambit: Math.round(run.rate),
        goal: `>= ${THROUGHPUT_GOAL}`,
        met: run.rate >= THROUGHPUT_GOAL,
        raw: { signed: run.signed, seconds: run.seconds, distinctCsrs: pool.length, durationMs, keyType: 'ECDSA P-256' },
      },
      {
        id: 'B7',
        case: 'CA issuance',
        metric: `time to sign a ${BURST_SIZE}-identity burst for one node (worst of ${rounds})`,
        unit: 'ms',
        ambit: Math.round(worstBurst * 10) / 10,
        goal: `< ${BURST_GOAL_MS}`,
        met: worstBurst < BURST_GOAL_MS,
        raw: {
          burstsMs: bursts,
          coldMs: bursts[0],
          p50Ms: percentile(sortedBursts, 50),
          maxMs: worstBurst,
          identities: BURST_SIZE,
        },
      },
    ];
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
