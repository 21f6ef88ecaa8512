/**
 * Found by the simulator (smoke seed 1): two placements of one node in flight at once.
 * The first plans while the node has no resting ask, waits on an owner's answer; the
 * second rests a sell meanwhile; the first then rested its remainder — a bid crossing
 * the node's own ask. Matching stops at our own order (self-trade prevention), so no
 * crossing resolution could ever take the other owners' asks behind it: the book stayed
 * crossed between different owners for good. A remainder must not rest crossing one of
 * our own orders, whenever the plan was made.
 */
import { World } from '../../src/sim/world';

const BTC = 100_000_000;
let w: World;
afterEach(async () => {
  await w?.close();
});

test('a placement that finishes after another of the same node rested does not rest across it', async () => {
  w = new World({ seed: 'self-cross', link: { latencyMs: 50 } });
  const [a, b, c] = [await w.addNode(), await w.addNode(), await w.addNode()];
  await w.connect(b, a);
  await w.connect(c, a);
  await w.settle();
  await w.until(b.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  // a buys 2 BTC up to 50,100: one leg on b's ask, in flight for a round trip.
  const buying = a.ex.place({ side: 'buy', price: 5_010_000, amount: 2 * BTC });
  // Meanwhile a sells at 50,050: nothing of another owner bids that high, so it rests.
  const sold = await w.until(a.ex.place({ side: 'sell', price: 5_005_000, amount: 1 * BTC }));
  expect(sold.rested).toBe(1 * BTC);
  const bought = await w.until(buying);
  expect(bought.filled).toBe(1 * BTC);
  // The rest of the buy would cross a's own ask: cancelled, as when the plan stops at it.
  expect(bought.rested).toBe(0);
  expect(bought.remainderCancelled).toEqual({ amount: 1 * BTC, reason: 'SELF_TRADE' });
  await w.settle();
  // c's ask at 50,080 arrives later: nothing of a's crosses it.
  await w.until(c.ex.place({ side: 'sell', price: 5_008_000, amount: 1 * BTC }));
  await w.settle();
  for (const n of [a, b, c]) {
    const { bids, asks } = n.ex.book();
    expect(bids.filter((x) => asks.some((y) => x.price >= y.price))).toEqual([]);
    expect(n.ex.digest()).toBe(a.ex.digest());
  }
});
