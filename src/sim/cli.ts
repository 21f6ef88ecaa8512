/**
 * `npm run sim -- [options]`: runs simulated networks and checks them.
 *
 *   --scenario NAME   chaos (default: 8–16 nodes, every fault), smoke, scale (200 nodes)
 *   --seed S          run one seed (any text or number) and print its full report
 *   --seeds N         run seeds FROM..FROM+N-1 (default FROM 1) and print one line each
 *   --from FROM       first seed of --seeds
 *   --trace FILE      write the whole trace of a single seed to FILE
 *   --nodes N         override the scenario's node count
 *   --duration S      override the scenario's workload length, simulated seconds
 *   --progress        print progress every simulated minute (long runs)
 *   --no-verify-memo  verify every signature on every node (slower; the same run)
 *   --log             print every node's log lines (debugging one seed; not part of the trace)
 *
 * Exit code 0 when every run held every invariant, 1 when one did not (its violations,
 * the end of its trace and the command that replays it are printed), 2 on bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { wallMs } from '../clock/wall-time';
import { formatReport } from './report';
import { run, type RunResult } from './run';
import { SCENARIOS } from './scenarios';

/** Violations printed per failing run; the rest are counted. */
const MAX_VIOLATIONS_SHOWN = 20;

interface Args {
  scenario: string;
  nodes: number | null;
  durationS: number | null;
  seeds: string[];
  trace: string | null;
  progress: boolean;
  log: boolean;
  verifyMemo: boolean;
}

class UsageError extends Error {}

/** Reads the command line; throws UsageError on anything it does not know. */
export function parseArgs(argv: string[]): Args {
  const a: Args = { scenario: 'chaos', nodes: null, durationS: null, seeds: [], trace: null, progress: false, log: false, verifyMemo: true };
  let count: number | null = null;
  let from = 1;
  let seed: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const positive = (): number => {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} needs a non-negative integer`);
      return n;
    };
    if (flag === '--scenario') a.scenario = value();
    else if (flag === '--seed') seed = value();
    else if (flag === '--seeds') count = positive();
    else if (flag === '--from') from = positive();
    else if (flag === '--trace') a.trace = value();
    else if (flag === '--progress') a.progress = true;
    else if (flag === '--log') a.log = true;
    else if (flag === '--no-verify-memo') a.verifyMemo = false;
    else if (flag === '--nodes') a.nodes = positive();
    else if (flag === '--duration') a.durationS = positive();
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (!SCENARIOS[a.scenario]) throw new UsageError(`unknown scenario ${a.scenario} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  if (seed !== null && count !== null) throw new UsageError('give --seed or --seeds, not both');
  if (count !== null) a.seeds = Array.from({ length: count }, (_, i) => String(from + i));
  else a.seeds = [seed ?? '1'];
  if (a.trace !== null && a.seeds.length !== 1) throw new UsageError('--trace needs a single seed');
  return a;
}

function printFailure(r: RunResult, overrides: string): void {
  console.log(`FAILED scenario ${r.scenario} seed ${r.seed}: ${r.violations.length} violation(s)`);
  for (const v of r.violations.slice(0, MAX_VIOLATIONS_SHOWN)) console.log(`  ${v.code}: ${v.message}`);
  if (r.violations.length > MAX_VIOLATIONS_SHOWN) console.log(`  ... and ${r.violations.length - MAX_VIOLATIONS_SHOWN} more`);
  console.log('  last lines of the trace:');
  for (const l of r.tail) console.log(`    ${l}`);
  console.log(`  replay: ${r.replay}${overrides}`);
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`sim: ${err.message}`);
    return 2;
  }
  let sc = SCENARIOS[args.scenario];
  if (args.nodes !== null) sc = { ...sc, nodes: { min: args.nodes, max: args.nodes } };
  if (args.durationS !== null) sc = { ...sc, durationMs: args.durationS * 1000 };
  // A replay must run the same scenario, overrides included.
  const overrides = (args.nodes !== null ? ` --nodes ${args.nodes}` : '') + (args.durationS !== null ? ` --duration ${args.durationS}` : '');
  const single = args.seeds.length === 1;
  const started = wallMs();
  const failed: string[] = [];
  for (const seed of args.seeds) {
    const r = await run(seed, sc, { keepTrace: args.trace !== null, progress: args.progress ? (l) => console.log(l) : undefined, log: args.log ? (l) => console.log(l) : undefined, verifyMemo: args.verifyMemo });
    if (single) console.log(formatReport(r.report));
    else {
      const p = r.report;
      console.log(
        `seed ${seed}: ${r.ok ? 'ok' : 'FAILED'} ${p.nodes} nodes, ${p.ops.acked} answered, ${p.trades} trades, ${(p.virtualMs / 1000).toFixed(0)} sim s${p.cooldownWaitMs > 0 ? ` (${(p.cooldownWaitMs / 1000).toFixed(0)} waiting out cooldowns)` : ''} in ${(p.wallMs / 1000).toFixed(2)} wall s, trace ${r.traceHash.slice(0, 16)}`,
      );
    }
    if (args.trace !== null && r.lines) writeFileSync(args.trace, r.lines.join('\n') + '\n');
    if (!r.ok) {
      failed.push(seed);
      printFailure(r, overrides);
    }
  }
  const wall = (wallMs() - started) / 1000;
  if (!single) {
    console.log(`${args.seeds.length} seeds of ${sc.name} in ${wall.toFixed(1)} wall s: ${args.seeds.length - failed.length} held every invariant, ${failed.length} failed${failed.length ? ` (seeds ${failed.join(', ')})` : ''}`);
  }
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
