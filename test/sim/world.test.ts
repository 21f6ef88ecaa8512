/**
 * The in-process world: real Exchange nodes on the in-memory transport in virtual time.
 */
import { World } from '../../src/sim/world';

const BTC = 100_000_000;

test('three nodes in virtual time: an order placed on one is taken from another, every node agrees', async () => {
  const w = new World({ seed: 1, link: { latencyMs: 20 } });
  const a = await w.addNode();
  const b = await w.addNode({ peers: [a] });
  const c = await w.addNode({ peers: [a] });
  await w.settle();
  expect(a.ex.peers().map((p) => p.nodeId).sort()).toEqual([b.nodeId, c.nodeId].sort());
  const sell = await w.until(a.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.settle();
  expect(c.ex.book().asks.map((o) => o.id)).toEqual([sell.order!.id]);
  const took = await w.until(c.ex.accept(sell.order!.id, 0.4 * BTC));
  expect(took.filled).toBe(0.4 * BTC);
  await w.settle();
  for (const n of [a, b, c]) {
    expect(n.ex.digest()).toBe(a.ex.digest());
    expect(n.ex.trades().map((t) => t.amount)).toEqual([0.4 * BTC]);
  }
  await w.close();
});
