/**
 * The data directory's event store: a node restarted alone, with no peer to hand its
 * book back, still has its orders, their fills and its trades — and, as an owner, does
 * not answer again an accept it had answered before the restart.
 */
import { cluster, mesh, next, settle, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
afterEach(async () => {
  await c?.close();
});

test('orders, fills and trades survive a restart with no peers; answered accepts stay answered', async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  const [a, b] = c.nodes;
  const sell = await a.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  const bid = await b.place({ side: 'buy', price: 4_000_000, amount: 0.5 * BTC });
  await settle(c.nodes);
  const took = await b.accept(sell.order!.id, 0.3 * BTC);
  expect(took.filled).toBe(0.3 * BTC);
  await settle(c.nodes);
  const before = { digest: a.digest(), trades: JSON.stringify(a.trades()), mine: a.myOrders() };
  const aDir = c.dirOf(a);
  const bDir = c.dirOf(b);
  await a.close();
  await b.close();

  // A comes back alone: its book, its partly filled order and the trade are all there.
  const warned: unknown[] = [];
  const a2 = await c.start({ dataDir: aDir, log: { info() {}, warn: (e, f) => warned.push([e, f]) } });
  expect(a2.nodeId).toBe(a.nodeId);
  expect(a2.peers()).toEqual([]);
  expect(a2.digest()).toBe(before.digest);
  expect(JSON.stringify(a2.trades())).toBe(before.trades);
  expect(a2.myOrders()).toEqual(before.mine);
  expect(a2.order(sell.order!.id)).toMatchObject({ filled: 0.3 * BTC, remaining: 0.7 * BTC, seq: 1 });
  expect(a2.book().bids.map((o) => o.id)).toEqual([bid.order!.id]);
  expect(warned).toEqual([]);
  // B's events were recent, so B counts as heard from until the liveness bound passes.
  const [who] = await next<[string]>(a2, 'owner-stale');
  expect(who).toBe(b.nodeId);
  expect(a2.book().bids[0].stale).toBe(true);

  // B comes back and links up: nothing is answered twice, both agree.
  const b2 = await c.start({ dataDir: bDir });
  await b2.connect('127.0.0.1', a2.status().port);
  await settle([a2, b2]);
  expect(a2.order(sell.order!.id)?.seq).toBe(1); // no second confirm of B's accept
  expect(b2.digest()).toBe(a2.digest());
  expect(JSON.stringify(b2.trades())).toBe(before.trades);
  expect(a2.book().bids[0].stale).toBe(false);

  // And the restored order still trades.
  expect((await b2.accept(sell.order!.id)).filled).toBe(0.7 * BTC);
  await settle([a2, b2]);
  expect(a2.trades().length).toBe(2);
});
