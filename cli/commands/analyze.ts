// `ambit analyze -f <files|dirs>...`: validates configuration without applying it.
// One line per finding; exit code 1 when there is any error, else 0.
import { analyzePaths } from '../../controller/validation/analyze.js';
import { formatFinding } from '../../controller/validation/finding.js';

export async function analyzeCommand(paths: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (paths.length === 0) {
    err('usage: ambit analyze -f <file|dir> [-f ...]');
    return 2;
  }
  const findings = await analyzePaths(paths);
  for (const f of findings) out(formatFinding(f));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  err(`${errors} error(s), ${warnings} warning(s)`); // the summary goes to stderr: stdout is one line per finding
  return errors > 0 ? 1 : 0;
}
