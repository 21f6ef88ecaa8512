import { SeenSet } from '../../src/gossip/seen-set';

const WINDOW = 1000;
const SKEW = 100;

test('remembers ids for the window, then forgets them once their age alone refuses them', () => {
  const s = new SeenSet(WINDOW, 100, SKEW);
  s.add('a', 0, 0);
  expect(s.has('a', 500)).toBe(true);
  expect(s.has('a', WINDOW + SKEW - 1)).toBe(true);
  expect(s.has('a', WINDOW + SKEW)).toBe(false);
  expect(s.isStale(0, WINDOW + SKEW)).toBe(true); // a replay now is refused by age
  expect(s.size).toBe(0);
});

test('age bounds: older than the window is stale, further ahead than the clock bound is future', () => {
  const s = new SeenSet(WINDOW, 100, SKEW);
  expect(s.isStale(5000 - WINDOW - 1, 5000)).toBe(true);
  expect(s.isStale(5000 - WINDOW, 5000)).toBe(false);
  expect(s.isFuture(5000 + SKEW, 5000)).toBe(false);
  expect(s.isFuture(5000 + SKEW + 1, 5000)).toBe(true);
});

test('bounded under a flood: never more than max entries, and an evicted id cannot be replayed', () => {
  const s = new SeenSet(60_000, 10, SKEW);
  for (let i = 0; i < 1000; i++) s.add(`e${i}`, 1000 + i, 2000);
  expect(s.size).toBe(10);
  // e0..e989 were evicted; their timestamps are at or under the floor, so they are refused.
  expect(s.has('e5', 2000)).toBe(false);
  expect(s.isStale(1005, 2000)).toBe(true);
  expect(s.floor).toBe(1989);
  // Kept ones are still known; newer events still pass.
  expect(s.has('e999', 2000)).toBe(true);
  expect(s.isStale(1999, 2000)).toBe(false);
});

test('adding an id twice keeps one entry', () => {
  const s = new SeenSet(WINDOW, 100, SKEW);
  s.add('a', 0, 0);
  s.add('a', 0, 1);
  expect(s.size).toBe(1);
});
