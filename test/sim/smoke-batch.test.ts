/**
 * A batch of seeds of the `smoke` scenario (5–8 nodes, 40 simulated seconds of orders,
 * takes, cancels, link drops, kills and restarts, partitions, clock offsets), each
 * checked for every invariant at quiescence. Sized to ~10 s of the suite; more seeds:
 * `npm run sim -- --scenario smoke --seeds 100`, or SMOKE_SEEDS=a,b,... here.
 */
import { run } from '../../src/sim/run';
import { SMOKE } from '../../src/sim/scenarios';

const SEEDS = process.env.SMOKE_SEEDS ? process.env.SMOKE_SEEDS.split(',') : Array.from({ length: 8 }, (_, i) => `batch-${i + 1}`);

test.each(SEEDS)('smoke seed %s holds every invariant', async (seed) => {
  const r = await run(seed, SMOKE);
  // eslint-disable-next-line no-console
  if (!r.ok) console.log(`smoke seed ${seed} FAILED; replay: ${r.replay}\n${r.violations.map((v) => `${v.code}: ${v.message}`).join('\n')}`);
  expect(r.violations).toEqual([]);
  expect(r.report.trades).toBeGreaterThan(0);
}, 60_000);
