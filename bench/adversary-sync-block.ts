/**
 * `npm run bench:sync-block`: issue 9's "event-loop block measured for a 1 MiB sync
 * before and after". Each run is a fresh process (adversary-sync-block-child.ts) that
 * loads one build's dist/; runs alternate between the builds; medians are reported.
 *
 * Env: SYNC_BLOCK_AFTER (default ./dist, which the script builds), SYNC_BLOCK_BEFORE (the
 * dist/ of another checkout, built the same way; omitted: only "after" is measured),
 * SYNC_BLOCK_RUNS (default 7 per build).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { median } from './adversary-probe';

const run = promisify(execFile);
const RUNS = Math.max(1, Number(process.env.SYNC_BLOCK_RUNS ?? 7));

interface One {
  frameBytes: number;
  events: number;
  synced: number;
  book: number;
  handledMs: number;
  maxBlockMs: number;
}

async function once(dist: string): Promise<One> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'adversary-sync-block-child.js'), dist], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as One;
}

async function main(): Promise<void> {
  const builds: Array<[string, string]> = [];
  if (process.env.SYNC_BLOCK_BEFORE) builds.push(['before', resolve(process.env.SYNC_BLOCK_BEFORE)]);
  builds.push(['after', resolve(process.env.SYNC_BLOCK_AFTER ?? 'dist')]);
  for (const [, d] of builds) if (!existsSync(join(d, 'exchange/exchange.js'))) throw new Error(`${d} is not a built dist/ (no exchange/exchange.js)`);
  const results = new Map<string, One[]>(builds.map(([n]) => [n, []]));
  const load0 = os.loadavg();
  for (let r = 0; r < RUNS; r++) {
    // Alternate which build goes first, so neither always runs on a quieter machine.
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const [name, dist] of order) {
      const one = await once(dist);
      results.get(name)!.push(one);
      console.error(`[bench:sync-block] ${name} run ${r + 1}/${RUNS}: block ${one.maxBlockMs.toFixed(1)} ms, handled in ${one.handledMs.toFixed(0)} ms, ${one.synced} events, book ${one.book}`);
    }
  }
  const rows = ['| build | frame bytes | order.add in it | taken into the book | longest event-loop block ms (median) | all runs, ms | frame → sync done ms (median) |', '|---|---:|---:|---:|---:|---|---:|'];
  for (const [name, dist] of builds) {
    const xs = results.get(name)!;
    rows.push(
      `| ${name} (${dist}) | ${xs[0].frameBytes} | ${xs[0].events} | ${median(xs.map((x) => x.book))} | ${median(xs.map((x) => x.maxBlockMs)).toFixed(1)} | ${xs.map((x) => x.maxBlockMs.toFixed(0)).join(', ')} | ${median(xs.map((x) => x.handledMs)).toFixed(0)} |`,
    );
  }
  const load1 = os.loadavg();
  console.log(rows.join('\n'));
  console.log(`\n${RUNS} runs per build; ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
