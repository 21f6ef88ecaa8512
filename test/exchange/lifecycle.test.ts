/**
 * The order lifecycle across real nodes on loopback: seed 001's story, partial takes,
 * auto-matching across owners, crossing placements, late joiners, cancels, forgeries.
 */
import { cluster, mesh, next, settle, type Cluster } from './support/cluster';
import { KIND } from '../../src/exchange/events';

const BTC = 100_000_000;
const USD = 100;

let c: Cluster;
afterEach(async () => {
  await c?.close();
});

function sameEverywhere(nodes: Cluster['nodes']): void {
  const d = nodes[0].digest();
  for (const n of nodes) expect(n.digest()).toBe(d);
}

test("seed 001: A sells; B sees it only once connected; B takes it; both record the trade", async () => {
  c = await cluster(2);
  const [a, b] = c.nodes;
  const placed = await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  expect(placed.rested).toBe(1 * BTC);
  const id = placed.order!.id;
  expect(b.book().asks).toEqual([]);

  await b.connect('127.0.0.1', a.status().port);
  await settle(c.nodes);
  expect(b.book().asks.map((o) => [o.id, o.owner, o.remaining])).toEqual([[id, a.nodeId, 1 * BTC]]);

  const res = await b.accept(id);
  expect(res).toMatchObject({ orderId: id, requested: 1 * BTC, filled: 1 * BTC });
  expect(res.reason).toBeUndefined();
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.book().asks).toEqual([]);
    expect(n.order(id)).toMatchObject({ status: 'filled', filled: 1 * BTC });
    expect(n.trades()).toEqual([res.trade]);
  }
  expect(res.trade).toMatchObject({ orderId: id, maker: a.nodeId, taker: b.nodeId, amount: 1 * BTC, price: 50_000 * USD, side: 'sell' });
});

test('partial take: 0.3 of 1 BTC leaves 0.7 everywhere, then the rest', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b, x] = c.nodes;
  const { order } = await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  await settle(c.nodes);
  const first = await b.accept(order!.id, 0.3 * BTC);
  expect(first.filled).toBe(0.3 * BTC);
  await settle(c.nodes);
  for (const n of c.nodes) expect(n.book().asks.map((o) => o.remaining)).toEqual([0.7 * BTC]);
  const rest = await x.accept(order!.id);
  expect(rest.filled).toBe(0.7 * BTC);
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.book().asks).toEqual([]);
    expect(n.trades().map((t) => [t.taker, t.amount])).toEqual([
      [b.nodeId, 0.3 * BTC],
      [x.nodeId, 0.7 * BTC],
    ]);
  }
  sameEverywhere(c.nodes);
});

test('auto-matching across owners: best price first, nothing rests for the taker', async () => {
  c = await cluster(4);
  await mesh(c.nodes);
  const [a, b, cc] = c.nodes;
  await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  await b.place({ side: 'sell', price: 49_900 * USD, amount: 1 * BTC });
  await settle(c.nodes);
  const res = await cc.place({ side: 'buy', price: 50_100 * USD, amount: 1.5 * BTC });
  expect(res.filled).toBe(1.5 * BTC);
  expect(res.rested).toBe(0);
  expect(res.order).toBeNull();
  expect(res.fills.map((t) => [t.maker, t.amount, t.price])).toEqual([
    [b.nodeId, 1 * BTC, 49_900 * USD],
    [a.nodeId, 0.5 * BTC, 50_000 * USD],
  ]);
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.book().bids).toEqual([]);
    expect(n.book().asks.map((o) => [o.owner, o.remaining, o.price])).toEqual([[a.nodeId, 0.5 * BTC, 50_000 * USD]]);
    expect(n.trades().length).toBe(2);
  }
  sameEverywhere(c.nodes);
});

test('self-trade prevention: a node never takes its own order; the crossing remainder is cancelled', async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  const [a] = c.nodes;
  const sell = await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  await expect(a.accept(sell.order!.id)).rejects.toMatchObject({ code: 'OWN_ORDER' });
  const buy = await a.place({ side: 'buy', price: 50_000 * USD, amount: 1 * BTC });
  expect(buy).toMatchObject({ filled: 0, rested: 0, order: null, remainderCancelled: { amount: 1 * BTC, reason: 'SELF_TRADE' } });
  await settle(c.nodes);
  sameEverywhere(c.nodes);
});

test('simultaneous crossing placements on two nodes: exactly one side takes, the book uncrosses', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b] = c.nodes;
  // Neither has seen the other's order when it places: both rest, then they cross.
  const [sell, buy] = await Promise.all([
    a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC }),
    b.place({ side: 'buy', price: 50_100 * USD, amount: 0.6 * BTC }),
  ]);
  expect(sell.rested).toBe(1 * BTC);
  expect(buy.rested).toBe(0.6 * BTC);
  // The newer order's owner takes the older one, at the older (resting) order's price.
  const s = sell.order!;
  const bo = buy.order!;
  const sellOlder = s.ts < bo.ts || (s.ts === bo.ts && s.id < bo.id);
  const want = sellOlder
    ? { maker: a.nodeId, taker: b.nodeId, price: 50_000 * USD, orderId: s.id }
    : { maker: b.nodeId, taker: a.nodeId, price: 50_100 * USD, orderId: bo.id };
  await settle(c.nodes);
  for (const n of c.nodes) {
    const { bids, asks } = n.book();
    expect(bids).toEqual([]);
    expect(asks.map((o) => [o.id, o.remaining])).toEqual([[s.id, 0.4 * BTC]]);
    const trades = n.trades();
    expect(trades.length).toBe(1);
    expect(trades[0]).toMatchObject({ amount: 0.6 * BTC, ...want });
  }
  sameEverywhere(c.nodes);
});

test('late joiner gets the whole book, partial fills included; owner cancel propagates', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b, x] = c.nodes;
  const s1 = await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  const s2 = await b.place({ side: 'sell', price: 51_000 * USD, amount: 2 * BTC });
  await x.place({ side: 'buy', price: 49_000 * USD, amount: 0.5 * BTC });
  await settle(c.nodes);
  await x.accept(s1.order!.id, 0.25 * BTC);
  await settle(c.nodes);

  const logged: Array<[string, Record<string, unknown>]> = [];
  const late = await c.start({ log: { info: (e, f = {}) => logged.push([e, f]), warn() {} } });
  await late.connect('127.0.0.1', b.status().port);
  await settle(c.nodes);
  expect(late.digest()).toBe(a.digest());
  // One sync.done line per link, saying from whom; together they brought the 3 orders.
  const syncs = logged.filter(([e]) => e === 'sync.done').map(([, f]) => f);
  expect(syncs.map((f) => f.peer).sort()).toEqual(late.peers().map((p) => p.nodeId).sort());
  expect(syncs.reduce((n, f) => n + (f.newOrders as number), 0)).toBe(3);
  expect(late.book().asks.map((o) => [o.id, o.remaining])).toEqual([
    [s1.order!.id, 0.75 * BTC],
    [s2.order!.id, 2 * BTC],
  ]);
  expect(late.book().bids.length).toBe(1);
  expect(late.book().asks.every((o) => !o.stale)).toBe(true);

  await b.cancel(s2.order!.id);
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.book().asks.map((o) => o.id)).toEqual([s1.order!.id]);
    expect(n.order(s2.order!.id)?.status).toBe('cancelled');
  }
  await expect(b.cancel(s2.order!.id)).rejects.toMatchObject({ code: 'ORDER_CANCELLED' });
  await expect(late.cancel(s1.order!.id)).rejects.toMatchObject({ code: 'NOT_OWNER' });
  sameEverywhere(c.nodes);
});

test('a cancel or confirm forged by a non-owner is refused everywhere', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, mallory, x] = c.nodes;
  const s = await a.place({ side: 'sell', price: 50_000 * USD, amount: 1 * BTC });
  await settle(c.nodes);
  const rec = s.order!;
  // Mallory signs owner updates of A's order with her own key, embedding A's real add.
  const addRaw = a.signedOrder(rec.id)!.add;
  const base = { order: rec.id, seq: 5, add: addRaw.body, addSig: addRaw.sig };
  mallory.network.publish(KIND.cancel, { ...base, filled: 0, status: 'cancelled' });
  mallory.network.publish(KIND.confirm, { ...base, seq: 6, filled: 1 * BTC, status: 'filled', accept: rec.id, taker: mallory.nodeId, amount: 1 * BTC });
  await settle(c.nodes);
  for (const n of [a, x]) {
    expect(n.order(rec.id)).toMatchObject({ status: 'open', remaining: 1 * BTC, seq: 0 });
    expect(n.trades()).toEqual([]);
  }
  expect(x.network.stats().eventsInvalid).toBeGreaterThanOrEqual(2);
});

test('what a node catches up on in a book sync reaches the nodes behind it (chain A-B-C, A-B cut)', async () => {
  // targetOutbound keeps the chain a chain: peer exchange would otherwise link A and C.
  c = await cluster(0);
  const a = await c.start({ net: { targetOutbound: 0 } });
  const b = await c.start({ net: { targetOutbound: 1, backoff: { baseMs: 10, maxMs: 50 } } });
  const x = await c.start({ net: { targetOutbound: 1 } });
  await b.connect('127.0.0.1', a.status().port);
  await x.connect('127.0.0.1', b.status().port);
  await settle(c.nodes);
  expect(x.peers().map((p) => p.nodeId)).toEqual([b.nodeId]);

  a.network.disconnect(b.nodeId, 'LINK_CUT');
  const placed = await a.place({ side: 'buy', price: 49_000 * USD, amount: 1 * BTC });
  expect(a.peers()).toEqual([]); // published to nobody
  // B redials A by itself; A's book sync brings the order; B relays it to C.
  const [seen] = await next<[{ id: string }]>(x, 'order');
  expect(seen.id).toBe(placed.order!.id);
  await settle(c.nodes);
  sameEverywhere(c.nodes);
});
