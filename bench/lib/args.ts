// Command line of `node dist/bench/run.js`: --quick, --only B7,B8 (ids or case keys),
// --cpu-prof (write a V8 CPU profile of every case child into bench/results/profiles).

export interface BenchArgs {
  quick: boolean;
  only: string[] | undefined;
  cpuProf: boolean;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: undefined, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--cpu-prof') args.cpuProf = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a comma-separated list of case ids, e.g. --only B7,B8');
      args.only = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)} (expected --quick, --only <ids>, --cpu-prof)`);
    }
  }
  return args;
}
