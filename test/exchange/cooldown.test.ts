/**
 * The cooldown of owners that let our accepts run out (src/exchange/cooldown.ts): the
 * pause doubles per repeat up to its cap, and `lastEnd` says when the last one running
 * ends (status.limits.coolingUntil; the simulator waits for it before judging a crossed book).
 */
import { COOLDOWN_BASE_MS, COOLDOWN_MAX_MS, Cooldown } from '../../src/exchange/cooldown';

test('the pause doubles with every repeat after the last pause ended, up to the cap', () => {
  const c = new Cooldown();
  let now = 0;
  let pause = c.strike('a', now);
  expect(pause).toBe(COOLDOWN_BASE_MS);
  for (let i = 1; i < 30; i++) {
    now += pause;
    pause = c.strike('a', now);
    expect(pause).toBe(Math.min(COOLDOWN_MAX_MS, COOLDOWN_BASE_MS * 2 ** i));
  }
  expect(pause).toBe(COOLDOWN_MAX_MS);
});

test('lastEnd is the end of the latest pause running now, null once all have ended', () => {
  const c = new Cooldown();
  expect(c.lastEnd(0)).toBeNull();
  c.strike('a', 0); // until 30 s
  c.strike('b', 10_000); // until 40 s
  expect(c.lastEnd(20_000)).toBe(10_000 + COOLDOWN_BASE_MS);
  c.strike('b', 40_000); // a repeat after b's first pause: until 100 s
  expect(c.active(35_000)).toEqual(['b']);
  expect(c.lastEnd(99_999)).toBe(100_000);
  expect(c.lastEnd(100_000)).toBeNull();
  expect(c.cooling('b', 100_000)).toBe(false);
});

test('accepts that run out while the owner already cools are the same failure, not repeats', () => {
  const c = new Cooldown();
  // One placement's four legs to one owner, all run out within a second.
  expect(c.strike('a', 0)).toBe(COOLDOWN_BASE_MS);
  expect(c.strike('a', 0)).toBe(COOLDOWN_BASE_MS);
  expect(c.strike('a', 800)).toBe(COOLDOWN_BASE_MS - 800);
  expect(c.lastEnd(1_000)).toBe(COOLDOWN_BASE_MS);
  // After the pause, a new failure is a repeat: the pause doubles.
  expect(c.strike('a', COOLDOWN_BASE_MS + 5_000)).toBe(2 * COOLDOWN_BASE_MS);
});
