/**
 * The simulator end to end, on a small scenario: a run holds every invariant, a seed
 * replays byte for byte (same trace hash), another seed is another run, and the verify
 * memo changes nothing but speed.
 */
import { run } from '../../src/sim/run';
import { SMOKE, type Scenario } from '../../src/sim/scenarios';

/** Four nodes for 15 simulated seconds, with kills and stops frequent enough to happen. */
const TINY: Scenario = { ...SMOKE, name: 'tiny', nodes: { min: 4, max: 4 }, durationMs: 15_000, mix: { ...SMOKE.mix, kill: 6, stop: 6 } };

test('a run holds every invariant, restarts included, and reports what it did', async () => {
  const r = await run('tiny-1', TINY, { keepTrace: true });
  expect(r.violations).toEqual([]);
  expect(r.ok).toBe(true);
  const lines = r.lines!;
  // The faults did happen, and restarted nodes were checked against their own disk.
  expect(lines.filter((l) => / (kill|stop) n=/.test(l)).length).toBeGreaterThan(0);
  expect(lines.filter((l) => / restarted n=/.test(l)).length).toBeGreaterThan(0);
  const p = r.report;
  expect(p.nodes).toBe(4);
  expect(p.ops.acked).toBeGreaterThan(10);
  expect(p.trades).toBeGreaterThan(0);
  expect(p.framesPerEvent).toBeGreaterThanOrEqual(p.minFramesPerEvent);
  expect(p.orderEvents.count).toBeGreaterThan(0);
  expect(p.orderEvents.p99).toBeGreaterThanOrEqual(p.orderEvents.p50);
  expect(p.traceLines).toBe(lines.length);
  expect(r.replay).toBe('npm run sim -- --scenario tiny --seed tiny-1');
});

test('the same seed twice gives the same trace, byte for byte; another seed another trace', async () => {
  const a = await run(7, TINY, { keepTrace: true });
  const b = await run(7, TINY, { keepTrace: true });
  expect(b.lines).toEqual(a.lines);
  expect(b.traceHash).toBe(a.traceHash);
  const c = await run(8, TINY);
  expect(c.traceHash).not.toBe(a.traceHash);
  // eslint-disable-next-line no-console
  console.log(`determinism: seed 7 → ${a.traceHash.slice(0, 16)} twice, seed 8 → ${c.traceHash.slice(0, 16)}`);
});

test('the verify memo changes how fast a run goes, not what it does', async () => {
  const on = await run(3, TINY);
  const off = await run(3, TINY, { verifyMemo: false });
  expect(off.traceHash).toBe(on.traceHash);
  expect(on.report.verifyMemo!.hits).toBeGreaterThan(0);
  expect(off.report.verifyMemo).toBeNull();
});
