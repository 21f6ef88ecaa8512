/**
 * SeededRandom: the simulator's stand-in for the CSPRNG. One seed, one stream; forks are
 * independent of each other and stable across runs.
 */
import { SeededRandom } from '../../src/clock/seeded-random';

const take = (r: SeededRandom, n: number) => Array.from({ length: n }, () => r.next32());

test('one seed gives one stream; any other seed another', () => {
  expect(take(new SeededRandom(42), 20)).toEqual(take(new SeededRandom(42), 20));
  expect(take(new SeededRandom('42'), 20)).toEqual(take(new SeededRandom(42), 20)); // seeded by its text
  expect(take(new SeededRandom(43), 20)).not.toEqual(take(new SeededRandom(42), 20));
});

test('random() is in [0, 1), int(n) in [0, n), and both spread over their range', () => {
  const r = new SeededRandom('range');
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const x = r.random();
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
    const k = r.int(10);
    expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
    buckets[k]++;
  }
  // 1,000 expected per bucket; a broken generator (constant, stuck bits) lands far outside.
  for (const b of buckets) expect(b).toBeGreaterThan(800);
});

test('bytes(n) gives n bytes, any n, from the same stream', () => {
  const r = new SeededRandom('bytes');
  for (const n of [0, 1, 3, 4, 5, 16, 33]) expect(r.bytes(n)).toHaveLength(n);
  expect(new SeededRandom('b').bytes(32).equals(new SeededRandom('b').bytes(32))).toBe(true);
  expect(new Set(new SeededRandom('b').bytes(64)).size).toBeGreaterThan(16);
});

test('a fork is its own stream, the same on every run, and differs by label', () => {
  const a1 = new SeededRandom('root');
  const a2 = new SeededRandom('root');
  const f1 = a1.fork('workload');
  const f2 = a2.fork('workload');
  expect(take(f1, 10)).toEqual(take(f2, 10));
  // The parent moved on identically too.
  expect(take(a1, 5)).toEqual(take(a2, 5));
  const b = new SeededRandom('root');
  expect(take(b.fork('other'), 10)).not.toEqual(take(new SeededRandom('root').fork('workload'), 10));
});
