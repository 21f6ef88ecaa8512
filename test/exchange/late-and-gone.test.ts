/**
 * Two ways an honest network could go wrong without care (found in review):
 * a grant that reaches the taker after it stopped waiting, and a closed order handed
 * back by a peer that was cut off longer than the retention time.
 */
import { cluster, mesh, settle, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
afterEach(async () => {
  await c?.close();
});

test('a grant delivered after the taker gave up is booked against what its placement rested', async () => {
  c = await cluster(3, { net: { targetOutbound: 0 } });
  const [a, r, t] = c.nodes; // owner a -- relay r -- taker t
  await r.connect('127.0.0.1', a.status().port);
  await r.connect('127.0.0.1', t.status().port);
  await settle(c.nodes);
  await a.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  // The owner grants in time; the link that would carry the answer to t breaks then.
  a.once('trade', () => r.network.disconnect(t.nodeId, 'LINK_CUT'));
  const late = new Promise((resolve) => t.once('late-fill', resolve));
  const placed = await t.place({ side: 'buy', price: 5_000_000, amount: 1 * BTC });
  expect(placed).toMatchObject({ filled: 0, rested: 1 * BTC, refused: [{ reason: 'OWNER_NOT_ANSWERING' }] });
  await r.connect('127.0.0.1', t.status().port); // the link comes back: sync brings the grant
  expect(await late).toMatchObject({ amount: 1 * BTC, booked: 1 * BTC, forOrder: placed.order!.id });
  await settle(c.nodes);
  const bought = t.trades().filter((x) => x.taker === t.nodeId).reduce((s, x) => s + x.amount, 0);
  const bidding = t.myOrders().filter((o) => o.status === 'open').reduce((s, o) => s + o.remaining, 0);
  expect(bought).toBe(1 * BTC);
  expect(bidding).toBe(0); // it asked for 1 BTC: it has 1 BTC, not 1 BTC plus a 1 BTC bid
  expect(t.digest()).toBe(a.digest());
});

test('a closed order pruned from memory is not synced back to life, and the peer that missed its close is told', async () => {
  let skew = 0;
  const now = () => Date.now() + skew; // a's clock only: lets retention pass without waiting
  c = await cluster(0);
  const a = await c.start({ now, tuning: { retainMs: 500 }, net: { targetOutbound: 0 } });
  const b = await c.start({ net: { targetOutbound: 0 } });
  const x = await c.start({ net: { targetOutbound: 0 } });
  await b.connect('127.0.0.1', a.status().port);
  await a.connect('127.0.0.1', x.status().port);
  await settle(c.nodes);
  const { order } = await a.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  expect(x.order(order!.id)?.status).toBe('open');

  a.network.disconnect(x.nodeId, 'LINK_CUT'); // x is cut off (a dialled; nobody redials)
  expect((await b.accept(order!.id)).filled).toBe(1 * BTC);
  await settle([a, b]);
  skew = 600; // retention (500 ms) has passed on a, within the clock bound (1 s here)
  (a as unknown as { ledger: { prune(): number } }).ledger.prune();
  expect(a.order(order!.id)).toBeNull();

  await a.connect('127.0.0.1', x.status().port); // x syncs its stale copy back to a
  await settle(c.nodes);
  expect(a.order(order!.id)).toBeNull(); // not resurrected on the owner...
  // ...and the owner restated the order's final state, so x closed its stale copy.
  expect(x.order(order!.id)).toMatchObject({ status: 'filled', filled: 1 * BTC });
  await expect(x.accept(order!.id)).rejects.toMatchObject({ code: 'ORDER_FILLED' });
  expect(x.digest()).toBe(a.digest());
  expect(b.digest()).toBe(a.digest());
  const sold = a.trades().filter((t) => t.orderId === order!.id).reduce((s, t) => s + t.amount, 0);
  expect(sold).toBe(1 * BTC);
});

test('an answer lost on its way: the taker holds the amount, does not re-take it, and books the grant when it comes', async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  const [a, t] = c.nodes;
  const sell = await a.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  // Lose the owner's first confirm on its way into t (a relay that died), keeping it.
  type Intake = { gossip(ev: { kind: string }, from: unknown): void };
  const intake = (t as unknown as { intake: Intake }).intake;
  const deliver = intake.gossip.bind(intake);
  let lost: [{ kind: string }, unknown] | null = null;
  intake.gossip = (ev, from) => {
    if (ev.kind === 'order.confirm' && lost === null) lost = [ev, from];
    else deliver(ev, from);
  };
  const placed = await t.place({ side: 'buy', price: 5_000_000, amount: 1 * BTC });
  expect(placed).toMatchObject({ filled: 0, rested: 1 * BTC, refused: [{ reason: 'OWNER_NOT_ANSWERING' }] });
  // Within the late hold (settle() would wait it out): let every frame be handled.
  await Promise.all(c.nodes.map((n) => n.network.roundTrip()));
  await Promise.all(c.nodes.map((n) => n.network.roundTrip()));
  // The owner is live and its ask crosses t's bid, but the held amount is not taken again.
  expect(t.trades()).toEqual([]); // the answer never reached t
  expect(a.trades()).toHaveLength(1);
  expect(t.book().bids.map((o) => o.remaining)).toEqual([1 * BTC]);

  const late = new Promise((resolve) => t.once('late-fill', resolve));
  deliver(...lost!); // the lost answer arrives after all
  expect(await late).toMatchObject({ amount: 1 * BTC, booked: 1 * BTC, forOrder: placed.order!.id });
  await settle(c.nodes);
  expect(t.trades().filter((x) => x.taker === t.nodeId).reduce((s, x) => s + x.amount, 0)).toBe(1 * BTC);
  expect(t.myOrders().filter((o) => o.status === 'open')).toEqual([]);
  expect(t.digest()).toBe(a.digest());
  expect(sell.order!.id).toBe(a.trades()[0].orderId);
});
