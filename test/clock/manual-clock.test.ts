/**
 * ManualClock: virtual time that only moves when told, timers in (time, arming order),
 * every promise continuation of a timer run before the next timer — what makes a
 * simulated run a pure function of its seed.
 */
import { ManualClock } from '../../src/clock/manual-clock';

test('time stands still until moved; runUntil fires what is due, in time order, and sets the time', async () => {
  const c = new ManualClock({ start: 1_000 });
  const fired: string[] = [];
  c.setTimeout(() => fired.push(`b@${c.now()}`), 20);
  c.setTimeout(() => fired.push(`a@${c.now()}`), 10);
  c.setTimeout(() => fired.push(`c@${c.now()}`), 30);
  expect(c.now()).toBe(1_000);
  expect(c.pending).toBe(3);
  expect(c.nextAt()).toBe(1_010);
  expect(await c.runUntil(1_025)).toBe(2);
  expect(fired).toEqual(['a@1010', 'b@1020']);
  expect(c.now()).toBe(1_025);
  expect(c.pending).toBe(1);
  await c.advance(5);
  expect(fired).toEqual(['a@1010', 'b@1020', 'c@1030']);
  expect(c.nextAt()).toBeNull();
});

test('timers due at the same ms fire in the order they were armed', async () => {
  const c = new ManualClock();
  const fired: number[] = [];
  for (const i of [3, 1, 4, 1, 5, 9, 2, 6]) c.setTimeout(() => fired.push(i), 7);
  await c.advance(7);
  expect(fired).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
});

test('a timer armed by a timer fires in the same run if it is due by then', async () => {
  const c = new ManualClock({ start: 0 });
  const fired: number[] = [];
  c.setTimeout(() => {
    fired.push(c.now());
    c.setTimeout(() => fired.push(c.now()), 5);
    c.setTimeout(() => fired.push(c.now()), 0);
  }, 10);
  await c.runUntil(14);
  expect(fired).toEqual([10, 10]);
  await c.runUntil(15);
  expect(fired).toEqual([10, 10, 15]);
});

test('every promise continuation a timer queued runs before the next timer', async () => {
  const c = new ManualClock({ start: 0 });
  const order: string[] = [];
  c.setTimeout(() => {
    order.push('t1');
    void Promise.resolve()
      .then(() => order.push('t1 then'))
      .then(() => order.push('t1 then then'));
    process.nextTick(() => order.push('t1 tick'));
  }, 1);
  c.setTimeout(() => order.push('t2'), 1);
  await c.advance(1);
  // (Whether the tick or the promise jobs go first is Node's business; all of them go before t2.)
  expect(order[0]).toBe('t1');
  expect(order.slice(1, 4).sort()).toEqual(['t1 then', 't1 then then', 't1 tick']);
  expect(order[4]).toBe('t2');
});

test('cleared timers never fire and do not count as pending; clearing twice is harmless', async () => {
  const c = new ManualClock();
  const fired: string[] = [];
  const t = c.setTimeout(() => fired.push('cleared'), 5);
  c.setTimeout(() => fired.push('kept'), 6);
  c.clearTimeout(t);
  c.clearTimeout(t);
  c.clearTimeout(null);
  expect(c.pending).toBe(1);
  await c.advance(10);
  expect(fired).toEqual(['kept']);
  expect(c.pending).toBe(0);
});

test('an interval fires every period until cleared, and stays pending meanwhile', async () => {
  const c = new ManualClock({ start: 0 });
  const at: number[] = [];
  const h = c.setInterval(() => at.push(c.now()), 100);
  await c.advance(350);
  expect(at).toEqual([100, 200, 300]);
  expect(c.pending).toBe(1);
  c.clearInterval(h);
  await c.advance(1_000);
  expect(at).toEqual([100, 200, 300]);
  expect(c.pending).toBe(0);
});

test('a negative, fractional or non-finite delay is a delay of 0 or its floor', async () => {
  const c = new ManualClock({ start: 0 });
  const at: number[] = [];
  c.setTimeout(() => at.push(c.now()), -5);
  c.setTimeout(() => at.push(c.now()), Number.NaN);
  c.setTimeout(() => at.push(c.now()), 2.9);
  await c.advance(2);
  expect(at).toEqual([0, 0, 2]);
});

test('a view is the same timeline with its own wall-clock offset and its own random stream', async () => {
  const c = new ManualClock({ start: 10_000, seed: 's' });
  const ahead = c.view(1_500, 'a');
  const behind = c.view(-700, 'b');
  expect(ahead.now()).toBe(11_500);
  expect(behind.now()).toBe(9_300);
  const fired: number[] = [];
  ahead.setTimeout(() => fired.push(c.now()), 50);
  behind.setTimeout(() => fired.push(c.now()), 20);
  expect(c.pending).toBe(2);
  await c.advance(100);
  expect(fired).toEqual([10_020, 10_050]);
  expect(ahead.now()).toBe(11_600);
  // Streams differ between views, and between a view and the clock itself.
  const xs = [ahead.random(), behind.random(), c.random()];
  expect(new Set(xs).size).toBe(3);
  expect(ahead.randomBytes(16)).toHaveLength(16);
});

test('the same seed and the same calls give the same randomness; another seed does not', () => {
  const draw = (seed: string) => {
    const c = new ManualClock({ seed });
    const v = c.view(0, 'node:1');
    return [c.random(), v.random(), c.randomBytes(8).toString('hex'), v.randomBytes(8).toString('hex')];
  };
  expect(draw('x')).toEqual(draw('x'));
  expect(draw('x')).not.toEqual(draw('y'));
});
