// The outcome of one authorization decision, as the daemon logs and counts it.

/** What the dry-run policies that apply would have done (rule 8); never enforced. */
export interface DryRunReport {
  /** The decision had the dry-run policies been enforced along with the others. */
  readonly wouldAllow: boolean;
  /** The dry-run policy behind that outcome when there is one (a matching DENY, or the matching ALLOW). */
  readonly policy?: string;
  /** Why it would be denied, when it would. */
  readonly reason?: string;
  /** Every applicable dry-run policy that matched the connection ("<ns>/<name>"). */
  readonly matched: readonly string[];
}

export type Decision =
  | {
    readonly allowed: true;
    /** The ALLOW policy that matched; absent when no ALLOW policy applies. */
    readonly policy?: string;
    readonly dryRun?: DryRunReport;
  }
  | {
    readonly allowed: false;
    readonly reason: string;
    /** The DENY policy that matched; absent when the connection matched no ALLOW policy. */
    readonly policy?: string;
    readonly dryRun?: DryRunReport;
  };
