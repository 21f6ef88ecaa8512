/** The trace's fingerprint is sha256 over its lines exactly, so equal hashes mean equal runs. */
import { createHash } from 'node:crypto';
import { Histogram } from '../../src/sim/histogram';
import { Trace } from '../../src/sim/trace';

test('the hash is sha256 of every line, each ended by a newline; fields in order; undefined ones left out', () => {
  let t = 0;
  const trace = new Trace(() => t, { keep: true });
  trace.add('place', { k: 1, n: 3, side: 'buy', order: undefined });
  t = 25;
  trace.add('heal');
  expect(trace.lines).toEqual(['0 place k=1 n=3 side=buy', '25 heal']);
  expect(trace.digest()).toBe(createHash('sha256').update('0 place k=1 n=3 side=buy\n25 heal\n').digest('hex'));
  expect(trace.count).toBe(2);
  expect(() => trace.add('late')).toThrow('closed');
});

test('one field more or less, or another order of lines, is another hash', () => {
  const hash = (lines: Array<[string, Record<string, number>]>) => {
    const tr = new Trace(() => 0);
    for (const [w, f] of lines) tr.add(w, f);
    return tr.digest();
  };
  const base = hash([['a', { x: 1 }], ['b', {}]]);
  expect(hash([['a', { x: 1 }], ['b', {}]])).toBe(base);
  expect(hash([['b', {}], ['a', { x: 1 }]])).not.toBe(base);
  expect(hash([['a', { x: 2 }], ['b', {}]])).not.toBe(base);
});

test('without keep, only the last lines are held (for a failure report)', () => {
  const trace = new Trace(() => 0);
  for (let i = 0; i < 100; i++) trace.add('op', { i });
  expect(trace.lines).toBeNull();
  const tail = trace.tail();
  expect(tail.length).toBeLessThan(100);
  expect(tail[tail.length - 1]).toBe('0 op i=99');
});

test('histogram percentiles: nearest rank over whole-ms samples', () => {
  const h = new Histogram();
  expect(h.percentile(0.5)).toBe(0);
  for (let i = 1; i <= 100; i++) h.add(i);
  expect(h.percentile(0.5)).toBe(50);
  expect(h.percentile(0.99)).toBe(99);
  expect(h.percentile(1)).toBe(100);
  expect(h.max).toBe(100);
  expect(h.count).toBe(100);
  h.add(-3); // below zero counts as 0
  expect(h.percentile(0)).toBe(0);
});
