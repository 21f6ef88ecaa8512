/**
 * Honest nodes whose clocks differ by more than the accept timeout (but within the
 * clock bound the handshake allows) still trade both ways: the owner judges an accept's
 * deadline, which is on the taker's clock, by the earliest the taker's clock can read.
 * Found by the simulator (smoke seed 1: a taker 3 s behind its maker was refused
 * DEADLINE_PASSED on every try, and the book stayed crossed).
 */
import { World } from '../../src/sim/world';

const BTC = 100_000_000;
const TUNING = { acceptTimeoutMs: 2_000, clockBoundMs: 5_000 };

test('a taker whose clock runs 4 s behind its maker (timeout 2 s, bound 5 s) is granted, and so is the maker taking from it', async () => {
  const w = new World({ seed: 3, link: { latencyMs: 30 }, tuning: TUNING });
  const ahead = await w.addNode({ clockOffsetMs: 2_000 });
  const behind = await w.addNode({ clockOffsetMs: -2_000, peers: [ahead] });
  await w.settle();
  expect(behind.ex.peers().map((p) => p.nodeId)).toEqual([ahead.nodeId]);

  const ask = await w.until(ahead.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  const took = await w.until(behind.ex.accept(ask.order!.id, 0.25 * BTC));
  expect(took).toMatchObject({ filled: 0.25 * BTC });

  const bid = await w.until(behind.ex.place({ side: 'buy', price: 4_900_000, amount: 1 * BTC }));
  await w.settle();
  const back = await w.until(ahead.ex.accept(bid.order!.id, 0.5 * BTC));
  expect(back).toMatchObject({ filled: 0.5 * BTC });

  await w.settle();
  expect(ahead.ex.trades().map((t) => t.amount).sort()).toEqual([0.25 * BTC, 0.5 * BTC]);
  expect(behind.ex.digest()).toBe(ahead.ex.digest());
  await w.close();
});
