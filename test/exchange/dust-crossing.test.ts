/**
 * A crossing that nobody may take must not exist: when what is left of the newer order
 * is a dust take of the older one (below 0.0001 BTC and less than the older has left,
 * refused everywhere as DUST_ACCEPT), the older order's owner takes all of the newer one.
 * Found by the simulator (smoke seed 18): the newer owner's accept was refused by its own
 * node as dust, and the error escaped the crossing loop as an unhandled rejection.
 */
import { older, takesFrom } from '../../src/exchange/crossings';
import { MIN_TAKE_SATS } from '../../src/exchange/kinds/accept';
import { World } from '../../src/sim/world';

const BTC = 100_000_000;

describe('takesFrom: exactly one side of a crossing acts', () => {
  const old = (left: number) => ({ ts: 1, id: 'a', left });
  const young = (left: number) => ({ ts: 2, id: 'b', left });
  it.each([
    ['the newer takes the older', young(BTC), old(BTC), true],
    ['a small newer order that takes all the older has left', young(5_000), old(5_000), true],
    ['a dust remainder of the newer is taken by the older', young(5_000), old(BTC), false],
    ['the older takes all of a dust newer', old(BTC), young(5_000), true],
    ['the older leaves a newer order that is no dust alone', old(BTC), young(MIN_TAKE_SATS), false],
  ])('%s', (_name, mine, other, acts) => {
    expect(takesFrom(mine, other)).toBe(acts);
    // The other side decides the opposite: never both, never neither.
    expect(takesFrom(other, mine)).toBe(!acts);
    expect(older(other, mine) || older(mine, other)).toBe(true);
  });
});

test('a dust bid placed after a crossing ask (in a partition) is taken whole by the ask\'s owner', async () => {
  const w = new World({ seed: 'dust-crossing', link: { latencyMs: 20 } });
  const a = await w.addNode();
  const b = await w.addNode({ peers: [a] });
  await w.settle();
  w.network.partition([[a.host], [b.host]]);
  const ask = await w.until(b.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
  await w.run(100);
  const bid = await w.until(a.ex.place({ side: 'buy', price: 5_010_000, amount: 5_000 }));
  expect(bid.rested).toBe(5_000);
  w.network.heal();
  await w.settle();
  // b's ask is older, but a's bid is dust against it: b takes all 5,000 sats, at the bid's price.
  for (const n of [a, b]) {
    expect(n.ex.trades().map((t) => ({ order: t.orderId, amount: t.amount, price: t.price }))).toEqual([
      { order: bid.order!.id, amount: 5_000, price: 5_010_000 },
    ]);
    expect(n.ex.book().bids).toEqual([]);
    expect(n.ex.book().asks.map((o) => [o.id, o.filled, o.remaining])).toEqual([[ask.order!.id, 5_000, 1 * BTC - 5_000]]);
  }
  await w.close();
});
