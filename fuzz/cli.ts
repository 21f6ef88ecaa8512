/**
 * `npm run fuzz -- --seed S --cases N [--tcp] [--batch B] [--only K] [--stop]`
 *
 * A long fuzz run against a live node. Prints cases/s and the outcome counts as it
 * goes, and a summary at the end; exits 1 if anything was found (an INTERNAL_ERROR, a
 * bug log line, a wedged link, a crash of the process, a failed health check), with
 * the command that replays each finding. See docs/FUZZING.md.
 */
import { randomBytes } from 'node:crypto';
import { Campaign, type CampaignOptions, DEFAULT_BATCH } from './campaign';
import { type CampaignReport, replayCommand } from './report';

export interface CliArgs extends CampaignOptions {
  /** Print a JSON report at the end instead of text. */
  json: boolean;
}

export class UsageError extends Error {
  readonly code = 'USAGE';
}

const USAGE = 'usage: npm run fuzz -- [--seed S] [--cases N] [--tcp] [--batch B] [--only K] [--stop] [--json]';

export function parseArgs(argv: readonly string[], randomSeed = () => randomBytes(4).toString('hex')): CliArgs {
  const out: CliArgs = { seed: '', cases: 10_000, mode: 'memory', batch: DEFAULT_BATCH, json: false };
  const count = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} needs an integer >= ${min}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--seed':
        out.seed = argv[++i] ?? '';
        if (out.seed === '') throw new UsageError(`--seed needs a value\n${USAGE}`);
        break;
      case '--cases':
        out.cases = count(a, argv[++i], 1);
        break;
      case '--batch':
        out.batch = count(a, argv[++i], 1);
        break;
      case '--only':
        out.only = count(a, argv[++i], 0);
        break;
      case '--tcp':
        out.mode = 'tcp';
        break;
      case '--stop':
        out.stopOnFinding = true;
        break;
      case '--json':
        out.json = true;
        break;
      default:
        throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (out.seed === '') out.seed = randomSeed();
  return out;
}

function line(r: CampaignReport): string {
  const rate = r.elapsedMs > 0 ? Math.round((r.casesRun * 1000) / r.elapsedMs) : 0;
  const outcomes = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `[fuzz ${r.mode} seed=${r.seed}] ${r.casesRun} cases, ${rate} cases/s, heap ${r.heap.peakMb} MB peak, findings ${r.findings.length} | ${outcomes}`;
}

export function summary(r: CampaignReport): string {
  const rate = r.elapsedMs > 0 ? Math.round((r.casesRun * 1000) / r.elapsedMs) : 0;
  const out = [
    `fuzz: seed ${r.seed}, mode ${r.mode}: ${r.casesRun} cases${r.stoppedEarly ? ' (stopped early)' : ''} in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate} cases/s), ${r.handshakes} handshakes, ${r.healthChecks} health checks`,
    `outcomes by close code: ${JSON.stringify(r.outcomes)}`,
    `node: ${JSON.stringify(r.node)}`,
    `node warnings: ${JSON.stringify(r.warnings)}`,
    `largest book left by a batch: ${r.bookMax} orders`,
    `heap: ${r.heap.beforeMb} MB before, ${r.heap.afterMb} MB after, ${r.heap.peakMb} MB peak`,
    `process: ${r.crashes} uncaught exceptions / unhandled rejections / exits`,
  ];
  for (const [k, v] of Object.entries(r.findingKinds)) out.push(`finding kind (${v.count}x, first at case ${v.firstCase}): ${k}`);
  for (const f of r.findings) {
    out.push(`FINDING ${f.kind} at case ${f.case}: ${f.detail}`, `  case: ${f.what.join(' ')}`, `  replay: ${replayCommand(f, r)}`);
  }
  out.push(r.findings.length === 0 ? 'no findings' : `${r.findings.length} finding(s)`);
  return out.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  process.stdout.write(`fuzz: seed ${args.seed} (replay: npm run fuzz -- --seed ${args.seed} --cases ${args.cases}${args.mode === 'tcp' ? ' --tcp' : ''})\n`);
  const campaign = new Campaign({ ...args, progress: args.json ? undefined : (r) => process.stdout.write(`${line(r)}\n`) });
  // Ctrl-C (or a TERM) ends a long run cleanly: the current batch's node is checked and
  // closed, and the report covers the cases run so far.
  const stop = (): void => {
    process.stdout.write('fuzz: stopping after the current case\n');
    campaign.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const report = await campaign.run().finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report)}\n`);
  return report.findings.length === 0 && report.crashes === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fuzz: harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
