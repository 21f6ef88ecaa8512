/**
 * The owner rule under contention: nine nodes accept half of one 1 BTC order at the
 * same instant. Only the owner decides, one accept at a time, so exactly 1 BTC fills.
 */
import { cluster, mesh, settle, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
afterAll(async () => {
  await c?.close();
});

test('race: 9 takers x 0.5 BTC on one 1 BTC order -> exactly 1 BTC filled, the rest refused with a reason', async () => {
  c = await cluster(10);
  await mesh(c.nodes);
  const [owner, ...takers] = c.nodes;
  const { order } = await owner.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  for (const n of c.nodes) expect(n.book().asks.map((o) => o.id)).toEqual([order!.id]);

  const results = await Promise.all(takers.map((t) => t.accept(order!.id, 0.5 * BTC)));
  const filled = results.reduce((s, r) => s + r.filled, 0);
  expect(filled).toBe(1 * BTC);
  expect(results.filter((r) => r.filled === 0.5 * BTC).length).toBe(2);
  const refused = results.filter((r) => r.filled === 0);
  expect(refused.length).toBe(7);
  for (const r of refused) expect(r.reason).toBe('ORDER_FILLED');

  await settle(c.nodes);
  const digest = owner.digest();
  const trades = JSON.stringify(owner.trades());
  for (const n of c.nodes) {
    expect(n.digest()).toBe(digest);
    expect(JSON.stringify(n.trades())).toBe(trades);
    expect(n.order(order!.id)).toMatchObject({ status: 'filled', filled: 1 * BTC });
  }
});
