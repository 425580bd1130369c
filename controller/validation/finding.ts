// A validation finding: names kind, namespace/name, field path and reason.
import type { KubeObject } from '../config/resource.js';
import { displayName } from '../config/resource.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  kind: string;
  name: string;        // "<namespace>/<name>" or "<name>"
  path: string;        // field path, e.g. "spec.rules[0].from[0].source.principals[1]"
  message: string;
  file?: string;       // where the resource came from, when known
}

export function formatFinding(f: Finding): string {
  const where = f.file ? `${f.file}: ` : '';
  return `${where}${f.severity.toUpperCase()} ${f.kind} ${f.name}: ${f.path}: ${f.message}`;
}

/** Collects findings for one object while walking its fields. */
export class FindingCollector {
  readonly findings: Finding[] = [];
  constructor(private readonly obj: Pick<KubeObject, 'kind' | 'metadata'>) {}

  error(path: string, message: string): void {
    this.findings.push({ severity: 'error', kind: this.obj.kind, name: displayName(this.obj), path, message });
  }

  warn(path: string, message: string): void {
    this.findings.push({ severity: 'warning', kind: this.obj.kind, name: displayName(this.obj), path, message });
  }

  get hasErrors(): boolean {
    return this.findings.some((f) => f.severity === 'error');
  }
}
