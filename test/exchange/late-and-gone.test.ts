/**
 * Two ways an honest network could go wrong without care (found in review): a grant
 * that reaches the taker after it stopped waiting, and a closed order handed back by a
 * peer that was cut off longer than the retention time. In virtual time: the partitions
 * and the waits are the simulated network's, not the wall clock's.
 */
import { World, type SimNode } from '../../src/sim/world';
import { FAST } from './support/cluster';

const BTC = 100_000_000;
let w: World;
afterEach(async () => {
  await w?.close();
});

function world(): World {
  w = new World({ seed: 'late-and-gone', link: { latencyMs: 5 }, tuning: FAST, net: { targetOutbound: 0 } });
  return w;
}

const bought = (t: SimNode) => t.ex.trades().filter((x) => x.taker === t.nodeId).reduce((s, x) => s + x.amount, 0);
const bidding = (t: SimNode) => t.ex.myOrders().filter((o) => o.status === 'open').reduce((s, o) => s + o.remaining, 0);

test('a grant delivered after the taker stopped waiting is a trade: the placement neither rested nor re-bought that amount', async () => {
  world();
  const [a, r, t] = [await w.addNode(), await w.addNode(), await w.addNode()];
  await w.connect(r, a); // owner a -- relay r -- taker t
  await w.connect(t, r);
  await w.settle();
  await w.until(a.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  // The owner grants in time; the link that would carry the answer to t is cut then.
  a.ex.once('trade', () => w.network.partition([[a.host, r.host], [t.host]]));
  const late = new Promise((resolve) => t.ex.once('late-fill', resolve));
  const placed = await w.until(t.ex.place({ side: 'buy', price: 5_000_000, amount: 1 * BTC }));
  // place() returned within one accept timeout, honest about what it does not know.
  expect(placed).toMatchObject({ filled: 0, rested: 0, refused: [], pending: [{ requested: 1 * BTC }] });
  expect(t.ex.status().late.unknown).toBe(1);
  w.network.heal(); // the link is back: the grant arrives
  expect(await w.until(late)).toMatchObject({ amount: 1 * BTC, booked: 1 * BTC, forOrder: null });
  await w.settle();
  expect(bought(t)).toBe(1 * BTC);
  expect(bidding(t)).toBe(0); // it asked for 1 BTC: it has 1 BTC, not 1 BTC plus a 1 BTC bid
  expect(t.ex.status().late).toMatchObject({ unknown: 1, landed: 1, lapsed: 0 });
  expect(t.ex.digest()).toBe(a.ex.digest());
});

test('a leg whose owner never answers rests once its hold is over, and nothing is bought twice', async () => {
  world();
  const [a, t] = [await w.addNode(), await w.addNode()];
  await w.connect(t, a);
  await w.settle();
  const sell = await w.until(a.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  // From now on a hears nothing of t: t's accept never reaches it.
  w.network.partition([[a.host], [t.host]]);
  const placed = await w.until(t.ex.place({ side: 'buy', price: 5_000_000, amount: 1 * BTC }));
  expect(placed).toMatchObject({ filled: 0, rested: 0, pending: [{ orderId: sell.order!.id, requested: 1 * BTC }] });
  const until = placed.pending[0].until;
  // While the outcome is unknown the amount is neither bought nor offered.
  expect(bidding(t)).toBe(0);
  await w.run(until - w.clock.now() + 1);
  // No grant came by the end of the hold: the amount rests now, as a new order of t's.
  expect(bidding(t)).toBe(1 * BTC);
  expect(t.ex.status().late).toMatchObject({ unknown: 1, landed: 0, lapsed: 1 });
  w.network.heal();
  await w.settle();
  expect(bought(t)).toBe(0);
  expect(a.ex.trades()).toEqual([]);
});

test('a closed order pruned from memory is not synced back to life, and the peer that missed its close is told', async () => {
  world();
  const a = await w.addNode({ tuning: { retainMs: 500 } });
  const [b, x] = [await w.addNode(), await w.addNode()];
  await w.connect(b, a);
  await w.connect(a, x);
  await w.settle();
  const { order } = await w.until(a.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  expect(x.ex.order(order!.id)?.status).toBe('open');

  await w.kill(x); // x goes down holding the order open (a dialled it; nobody redials)
  expect((await w.until(b.ex.accept(order!.id))).filled).toBe(1 * BTC);
  await w.settle();
  await w.run(2_000); // retention (500 ms) passes on a, and its prune job runs
  expect(a.ex.order(order!.id)).toBeNull();

  await w.boot(x); // x comes back from its store and links up: it offers its stale copy
  await w.connect(x, a);
  await w.settle();
  expect(a.ex.order(order!.id)).toBeNull(); // not resurrected on the owner...
  // ...and the owner restated the order's final state, so x closed its stale copy.
  expect(x.ex.order(order!.id)).toMatchObject({ status: 'filled', filled: 1 * BTC });
  await expect(x.ex.accept(order!.id)).rejects.toMatchObject({ code: 'ORDER_FILLED' });
  expect(x.ex.digest()).toBe(a.ex.digest());
  expect(b.ex.digest()).toBe(a.ex.digest());
  const sold = a.ex.trades().filter((t) => t.orderId === order!.id).reduce((s, t) => s + t.amount, 0);
  expect(sold).toBe(1 * BTC);
});
