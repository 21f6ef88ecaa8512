/**
 * `npm run bench:adversary`: honest trade latency and event-loop lag before and during
 * each attack of issue 11, side by side with the issue's targets (PASS/MISS); then the
 * distribution of honest owners' answer times, for the accept timeout's default. It
 * measures and never fails on a MISS (exit 0), only on a broken setup.
 *
 * Env: BENCH_RUNS (default 1) runs of every attack, medians reported;
 * ADVERSARY_PHASE_MS (default 10000) length of the baseline and the attack phase;
 * ADVERSARY_ATTACKS (comma-separated) to run a subset; ADVERSARY_SIM=0 skips the simulated
 * networks. Argument `answer-times` runs only
 * the answer-time part.
 */
import * as os from 'node:os';
import { ATTACKS } from './adversary-attacks';
import { answerTimes } from './adversary-answer-times';
import type { Sample } from './adversary-honest';
import { measureAttack, type AttackResult } from './adversary-phases';
import { details, medianRow, row, table } from './adversary-report';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const PHASE_MS = Math.max(2_000, Number(process.env.ADVERSARY_PHASE_MS ?? 10_000));
/** Long enough for the first samples' JIT compilation not to land in the baseline. */
const WARMUP_MS = 2_000;

function log(msg: string): void {
  console.error(`[bench:adversary] ${msg}`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const only = process.argv[2];
  const names = (process.env.ADVERSARY_ATTACKS ?? Object.keys(ATTACKS).join(',')).split(',').filter(Boolean);
  for (const n of names) if (!ATTACKS[n]) throw new Error(`unknown attack ${n} (known: ${Object.keys(ATTACKS).join(', ')})`);
  const load0 = os.loadavg();
  const samples: Sample[] = [];
  const byRun: AttackResult[][] = [];
  if (only !== 'answer-times') {
    for (let run = 0; run < RUNS; run++) {
      const results: AttackResult[] = [];
      for (const name of names) {
        log(`run ${run + 1}/${RUNS}: ${name}`);
        results.push(await measureAttack(name, { phaseMs: PHASE_MS, warmupMs: WARMUP_MS }, samples));
      }
      byRun.push(results);
      console.log(`\n### Run ${run + 1}\n\n${table(results.map(row))}\n\n${details(results)}`);
    }
  }
  if (byRun.length > 1) {
    const medians = names.map((_, i) => medianRow(byRun.map((rs) => row(rs[i]))));
    console.log(`\n### Medians of ${byRun.length} runs\n\n${table(medians)}`);
  }
  log('answer times');
  console.log(`\n${await answerTimes(samples)}`);
  const load1 = os.loadavg();
  console.log(
    `\nMachine: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}; phase ${PHASE_MS / 1000} s; ` +
      `load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}; total ${Math.round((Date.now() - t0) / 1000)} s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
