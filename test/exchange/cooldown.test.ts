/**
 * The cooldown of owners that let our accepts run out (src/exchange/cooldown.ts): the
 * pause doubles per repeat up to its cap, and `lastEnd` says when the last one running
 * ends (status.limits.coolingUntil; the simulator waits for it before judging a crossed book).
 */
import { COOLDOWN_BASE_MS, COOLDOWN_MAX_MS, Cooldown } from '../../src/exchange/cooldown';

test('the pause doubles with every repeat, up to the cap', () => {
  const c = new Cooldown();
  expect(c.strike('a', 0)).toBe(COOLDOWN_BASE_MS);
  expect(c.strike('a', 1)).toBe(2 * COOLDOWN_BASE_MS);
  expect(c.strike('a', 2)).toBe(4 * COOLDOWN_BASE_MS);
  for (let i = 3; i < 30; i++) c.strike('a', i);
  expect(c.strike('a', 30)).toBe(COOLDOWN_MAX_MS);
});

test('lastEnd is the end of the latest pause running now, null once all have ended', () => {
  const c = new Cooldown();
  expect(c.lastEnd(0)).toBeNull();
  c.strike('a', 0); // until 30 s
  c.strike('b', 10_000); // until 40 s
  c.strike('b', 10_000); // until 70 s
  expect(c.lastEnd(20_000)).toBe(10_000 + 2 * COOLDOWN_BASE_MS);
  expect(c.active(35_000)).toEqual(['b']);
  expect(c.lastEnd(69_999)).toBe(70_000);
  expect(c.lastEnd(70_000)).toBeNull();
  expect(c.cooling('b', 70_000)).toBe(false);
});
