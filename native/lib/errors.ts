// Native failures as AmbitErrors: the code says which kind of operation failed, the
// message names the operation, its target and the errno.
import { getSystemErrorMap } from 'node:util';
import { AmbitError, type ErrorCode } from '../../api/errors.js';

export class NativeError extends AmbitError {
  /** The positive errno (e.g. 1 for EPERM). */
  readonly errno: number;
  /** Its symbolic name (e.g. 'EPERM'). */
  readonly errnoName: string;
  /** What was being done, e.g. "tcx attach of ambit_pod_ingress to vp1 (ifindex 4)". */
  readonly operation: string;

  constructor(code: ErrorCode, operation: string, errno: number, detail?: string) {
    const [name, text] = describeErrno(errno);
    super(code, `${operation} failed: ${name} (${text})${detail ? `\n${detail}` : ''}`);
    this.name = 'NativeError';
    this.errno = Math.abs(errno);
    this.errnoName = name;
    this.operation = operation;
  }
}

// libbpf's own error numbers (enum libbpf_errno, from 4000).
const LIBBPF_ERRORS: readonly [string, string][] = [
  ['LIBBPF_ERRNO__LIBELF', 'something wrong in libelf'],
  ['LIBBPF_ERRNO__FORMAT', 'not a BPF object file (bad ELF format)'],
  ['LIBBPF_ERRNO__KVERSION', 'kernel version mismatch'],
  ['LIBBPF_ERRNO__ENDIAN', 'endianness mismatch'],
  ['LIBBPF_ERRNO__INTERNAL', 'internal libbpf error'],
  ['LIBBPF_ERRNO__RELOC', 'relocation failed'],
  ['LIBBPF_ERRNO__LOAD', 'load program failed for an unknown reason'],
  ['LIBBPF_ERRNO__VERIFY', 'kernel verifier blocked the program'],
  ['LIBBPF_ERRNO__PROG2BIG', 'program too big'],
  ['LIBBPF_ERRNO__KVER', 'incorrect kernel version'],
  ['LIBBPF_ERRNO__PROGTYPE', 'kernel does not support this program type'],
  ['LIBBPF_ERRNO__WRNGPID', 'wrong pid in netlink message'],
  ['LIBBPF_ERRNO__INVSEQ', 'invalid netlink sequence'],
  ['LIBBPF_ERRNO__NLPARSE', 'netlink message parsing error'],
];

/** [name, description] of an errno given either as -errno or errno (libbpf's 4000+ included). */
export function describeErrno(errno: number): [string, string] {
  const n = Math.abs(errno);
  const entry = getSystemErrorMap().get(-n) ?? LIBBPF_ERRORS[n - 4000];
  return entry ?? [`errno ${n}`, 'unknown error'];
}

/** Returns `rc` when it is a result (>= 0); throws a NativeError for -errno. */
export function check(rc: number, code: ErrorCode, operation: string | (() => string)): number {
  if (rc >= 0) return rc;
  throw new NativeError(code, typeof operation === 'string' ? operation : operation(), rc);
}
