/**
 * Issue 9, currency (src/exchange/currency.ts), in virtual time: real nodes on the
 * simulated network, a hostile owner speaking to them over it.
 *
 * - An order its owner stops vouching for goes dormant ORDER_TTL_MS after the owner last
 *   signed about it, on every node: not in the book, not synced to a new peer. A later
 *   refresh listing it makes it current again.
 * - An owner over MAX_OPEN_ORDERS: whatever order the adds arrive in, every node keeps
 *   the same orders, the ones with the smallest ids.
 */
import { MAX_OPEN_ORDERS, ORDER_TTL_MS } from '../../src/exchange/currency';
import { KIND } from '../../src/exchange/events';
import type { GossipEvent } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { World, type SimNode } from '../../src/sim/world';
import { BTC } from '../support/attack-checks';
import { attackerIn } from '../support/world-attacker';

/** Nodes look for lapsed orders every 10 s (exchange.ts, sweepCurrency). */
const SWEEP_MS = 10_000;
/** The origin budget for new orders: a burst of 50, then 5 a second (docs/POLICY.md). */
const ORDER_BURST = 50;
const BURST_REFILL_MS = 10_000;

let w: World;
afterEach(async () => {
  await w?.close();
});

const inBook = (n: SimNode, id: string): boolean => n.ex.book().asks.some((o) => o.id === id) || n.ex.book().bids.some((o) => o.id === id);

/** Drops `n`'s link to `to`; resolves once `n` has redialled and taken `to`'s book sync again. */
async function resync(n: SimNode, to: SimNode): Promise<void> {
  const synced = new Promise<void>((resolve) => n.ex.on('sync-done', (from) => from.nodeId === to.nodeId && resolve()));
  n.ex.network.disconnect(to.nodeId);
  await w.until(synced);
  await w.settle();
}

test('an order its owner stops vouching for goes dormant everywhere after ORDER_TTL_MS, and a refresh listing it makes it current again', async () => {
  w = new World({ seed: 'currency-ttl', link: { latencyMs: 5 } });
  const a = await w.addNode();
  const b = await w.addNode({ peers: [a] });
  const c = await w.addNode({ peers: [b] });
  await w.settle();
  const owner = await attackerIn(w, a);
  const ask = owner.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 1 * BTC });
  owner.gossip(ask);
  await w.settle();
  for (const n of [a, b, c]) expect(inBook(n, ask.id)).toBe(true);

  // The owner says nothing more about it. Just within the TTL it is still current...
  await w.run(ORDER_TTL_MS - (w.clock.now() - ask.ts) - SWEEP_MS);
  for (const n of [a, b, c]) expect(inBook(n, ask.id)).toBe(true);
  // ...past it (and one sweep), it is dormant on every node.
  await w.run(2 * SWEEP_MS);
  for (const n of [a, b, c]) {
    expect(inBook(n, ask.id)).toBe(false);
    expect(n.ex.order(ask.id)).toMatchObject({ status: 'open', dormant: true });
  }
  // A peer joining now is not handed it.
  const d = await w.addNode({ peers: [a] });
  await w.settle();
  expect(d.ex.order(ask.id)).toBeNull();

  // The owner vouches for it again: current on every node that knows it.
  owner.gossip(owner.sign(KIND.refresh, { orders: [ask.id] }));
  await w.settle();
  for (const n of [a, b, c]) {
    expect(inBook(n, ask.id)).toBe(true);
    expect(n.ex.order(ask.id)?.dormant).toBeUndefined();
  }
  // The newcomer gets it in its next sync; every honest node ends with the same book.
  await resync(d, a);
  expect(inBook(d, ask.id)).toBe(true);
  for (const n of [b, c, d]) expect(n.ex.digest()).toBe(a.ex.digest());
});

test(`an owner over MAX_OPEN_ORDERS (${MAX_OPEN_ORDERS}): nodes that saw its adds in opposite orders keep the same, smallest, ids`, async () => {
  w = new World({ seed: 'currency-cap', link: { latencyMs: 5 } });
  // a and b are not linked: each hears the owner's adds only from the owner, in its order.
  const a = await w.addNode();
  const b = await w.addNode();
  const key = Identity.generate();
  const toA = await attackerIn(w, a, { identity: key });
  const toB = await attackerIn(w, b, { identity: key });
  const adds: GossipEvent[] = [];
  const t0 = w.clock.now();
  for (let i = 0; i < MAX_OPEN_ORDERS + 20; i++) adds.push(toA.sign(KIND.add, { side: 'buy', price: 4_000_000 + i, amount: 1_000 }, { ts: t0 - 1_000 + i * 5 }));
  const byId = [...adds].sort((x, y) => (x.id < y.id ? -1 : 1));
  const smallest = byId.slice(0, MAX_OPEN_ORDERS).map((e) => e.id);

  // Smallest ids first to a, largest first to b, within the owner's budget for new orders.
  const ascending = byId;
  const descending = [...byId].reverse();
  for (let i = 0; i < adds.length; i += ORDER_BURST) {
    for (const ev of ascending.slice(i, i + ORDER_BURST)) toA.gossip(ev);
    for (const ev of descending.slice(i, i + ORDER_BURST)) toB.gossip(ev);
    await w.run(BURST_REFILL_MS);
  }
  await w.settle();
  for (const n of [a, b]) {
    expect(n.ex.status().limits?.refused.OVER_ORIGIN_BUDGET).toBeUndefined();
    expect(n.ex.book().bids.map((o) => o.id).sort()).toEqual(smallest);
  }
  expect(a.ex.digest()).toBe(b.ex.digest());

  // Linked now, they sync each other's view: nothing changes, nothing is refused twice over.
  await w.connect(b, a);
  await w.settle();
  for (const n of [a, b]) expect(n.ex.book().bids.map((o) => o.id).sort()).toEqual(smallest);
  expect(a.ex.digest()).toBe(b.ex.digest());

  // An honest trade between them still completes.
  const sell = await w.until(a.ex.place({ side: 'sell', price: 9_000_000, amount: 0.5 * BTC }));
  await w.settle();
  expect((await w.until(b.ex.accept(sell.order!.id))).filled).toBe(0.5 * BTC);
  await w.settle();
  expect(b.ex.trades().map((t) => t.orderId)).toEqual([sell.order!.id]);
  expect(a.ex.digest()).toBe(b.ex.digest());
});
