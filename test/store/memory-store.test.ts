/**
 * MemoryEventStore: the simulator's disk. What a kill -9 keeps is what LMDB would have
 * committed: durable writes at once, plain writes once their batch commits.
 */
import { ManualClock } from '../../src/clock/manual-clock';
import { MemoryEventStore } from '../../src/store/memory-store';

const ev = (n: number) => ({ body: Buffer.from([n]), sig: Buffer.from([n, n]) });
const ids = (s: MemoryEventStore) => [...s.all()].map((e) => e.body[0]);

test('a crash keeps durable writes and committed ones, and loses plain writes not yet committed', () => {
  const s = new MemoryEventStore();
  s.put('b', ev(2));
  s.commit();
  s.put('c', ev(3));
  s.putDurable('a', ev(1));
  expect(s.size).toBe(3);
  const after = s.crash();
  expect(ids(after)).toEqual([1, 2]);
  expect(after.size).toBe(2);
});

test('with a clock, plain writes commit on the next timer turn (as LMDB batches a turn of the event loop)', async () => {
  const clock = new ManualClock();
  const s = new MemoryEventStore(clock);
  s.put('x', ev(7));
  s.put('y', ev(8));
  expect(clock.pending).toBe(1); // one batch, one timer
  expect(ids(s.crash())).toEqual([]);
  const s2 = new MemoryEventStore(clock);
  s2.put('x', ev(7));
  await clock.advance(0);
  expect(ids(s2.crash())).toEqual([7]);
  expect(clock.pending).toBe(0);
});

test('events come back in id order, each id once; putting a committed id again changes nothing', () => {
  const s = new MemoryEventStore();
  s.put('m', ev(2));
  s.putDurable('z', ev(3));
  s.put('a', ev(1));
  s.put('m', ev(9)); // pending, replaced: still one entry
  s.commit();
  s.put('m', ev(5)); // committed already: ignored
  expect(ids(s)).toEqual([1, 9, 3]);
  expect(s.size).toBe(3);
});

test('flushed() and close() commit everything; close clears the commit timer', async () => {
  const clock = new ManualClock();
  const s = new MemoryEventStore(clock);
  s.put('a', ev(1));
  await s.flushed();
  s.put('b', ev(2));
  await s.close();
  expect(clock.pending).toBe(0);
  expect(ids(s.crash())).toEqual([1, 2]);
});

test('the store a crash returns is a working store: new writes, crashes of its own', () => {
  const s = new MemoryEventStore();
  s.putDurable('a', ev(1));
  const after = s.crash();
  after.put('b', ev(2));
  after.putDurable('c', ev(3));
  expect(ids(after.crash())).toEqual([1, 3]);
});
