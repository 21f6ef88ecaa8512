import fc from 'fast-check';
import { MAX_TOKENS_PER_PERIOD, RateSpecError, TokenBucket, verifyRate } from '../../src/limits/token-bucket';

describe('TokenBucket', () => {
  test('starts full, spends the burst, then refills at the rate', () => {
    const b = new TokenBucket({ tokens: 5, perMs: 1000, burst: 10 });
    for (let i = 0; i < 10; i++) expect(b.take(1, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.available(0)).toBe(0);
    expect(b.take(1, 199)).toBe(false); // one token takes 200 ms
    expect(b.take(1, 200)).toBe(true);
    expect(b.available(1200)).toBe(5);
    expect(b.full(2200)).toBe(true);
    expect(b.available(1_000_000)).toBe(10); // never above the burst
  });

  test('a refused take spends nothing; a cost above the burst is never granted', () => {
    const b = new TokenBucket({ tokens: 1, perMs: 1000, burst: 3 });
    expect(b.take(2, 0)).toBe(true);
    expect(b.take(2, 0)).toBe(false);
    expect(b.available(0)).toBe(1);
    expect(b.take(4, 1e9)).toBe(false);
    expect(b.readyAt(4, 0)).toBe(Infinity);
  });

  test('readyAt is the first ms a take succeeds', () => {
    const b = new TokenBucket({ tokens: 3, perMs: 1000, burst: 3 });
    for (let i = 0; i < 3; i++) b.take(1, 10_000);
    const at = b.readyAt(2, 10_000);
    expect(b.take(2, at - 1)).toBe(false);
    expect(b.take(2, at)).toBe(true);
    expect(b.readyAt(0, at)).toBe(at);
  });

  test('exact over any schedule: granted tokens never exceed burst + rate * elapsed', () => {
    // Rates whose period does not divide into whole ms per token (7 per 1000 ms) are the
    // ones a float refill gets wrong over millions of calls.
    const spec = fc.record({ tokens: fc.integer({ min: 1, max: MAX_TOKENS_PER_PERIOD }), perMs: fc.integer({ min: 1, max: 100_000 }), burst: fc.integer({ min: 1, max: 1000 }) });
    const steps = fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(spec, steps, fc.integer({ min: 0, max: 1.8e12 }), (s, ops, start) => {
        const b = new TokenBucket(s);
        let now = start;
        let granted = 0;
        for (const [dt, cost] of ops) {
          now += dt;
          const before = b.available(now);
          const ok = b.take(cost, now);
          // Granted exactly when the bucket held the cost.
          expect(ok).toBe(cost <= before);
          if (ok) granted += cost;
          // Integer bound: granted * perMs <= burst * perMs + tokens * elapsed.
          expect(granted * s.perMs).toBeLessThanOrEqual(s.burst * s.perMs + s.tokens * (now - start));
        }
        // And nothing is lost: after a long pause the bucket is exactly full.
        expect(b.available(now + s.burst * s.perMs)).toBe(s.burst);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  test('refuses a rate it cannot enforce exactly, with code BAD_RATE and the field', () => {
    for (const bad of [{ tokens: 0, perMs: 1, burst: 1 }, { tokens: 1.5, perMs: 1, burst: 1 }, { tokens: MAX_TOKENS_PER_PERIOD + 1, perMs: 1, burst: 1 }, { tokens: 1, perMs: 1, burst: -1 }]) {
      let err: unknown;
      try {
        verifyRate(bad, 'order');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RateSpecError);
      expect((err as RateSpecError).code).toBe('BAD_RATE');
      expect((err as RateSpecError).field).toMatch(/^order\./);
    }
    expect(() => new TokenBucket({ tokens: 1, perMs: 0, burst: 1 })).toThrow(RateSpecError);
  });
});
