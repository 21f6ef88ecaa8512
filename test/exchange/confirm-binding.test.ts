/**
 * A confirm is bound to the accept it answers (it embeds the accept's signed bytes):
 * an owner cannot invent a trade for a node that never asked, re-use someone's accept
 * on another order, or grant more than was asked. (Found in review; each case here
 * went through before the binding.)
 */
import { KIND } from '../../src/exchange/events';
import type { Exchange } from '../../src/exchange/exchange';
import type { GossipEvent } from '../../src/net/node';
import { cluster, mesh, next, settle, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
afterEach(async () => {
  await c?.close();
});


/** A confirm signed by `owner` for its order `orderId`, answering the accept `acc`. */
function confirm(owner: Exchange, orderId: string, acc: GossipEvent, amount: number, filled: number, taker = acc.origin) {
  const rec = owner.signedOrder(orderId)!;
  return {
    order: orderId,
    seq: rec.seq + 1,
    filled,
    status: 'open',
    add: rec.add.body,
    addSig: rec.add.sig,
    accept: acc.id,
    taker,
    amount,
    acceptBody: acc.raw.body,
    acceptSig: acc.raw.sig,
  };
}

test("an owner cannot pin a trade on a node that never accepted (the embedded accept is someone else's)", async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [h, victim, x] = c.nodes;
  const mine = await h.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  const other = await x.place({ side: 'sell', price: 6_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  // The victim really accepted x's order; h captures that accept and uses it on its own.
  const seen = next<[GossipEvent]>(h.network, 'event');
  const taken = victim.accept(other.order!.id, 0.1 * BTC);
  let [acc] = await seen;
  while (acc.kind !== KIND.accept) [acc] = await next<[GossipEvent]>(h.network, 'event');
  h.network.publish(KIND.confirm, confirm(h, mine.order!.id, acc, 1 * BTC, 1 * BTC));
  expect((await taken).filled).toBe(0.1 * BTC);
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.trades().map((t) => [t.orderId, t.amount])).toEqual([[other.order!.id, 0.1 * BTC]]);
    if (n !== h) expect(n.order(mine.order!.id)).toMatchObject({ filled: 0, status: 'open' });
  }
  expect(x.network.stats().eventsInvalid + victim.network.stats().eventsInvalid).toBeGreaterThanOrEqual(1);
});

test('an owner cannot grant more than the accept asked for', async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  const [h, t] = c.nodes;
  const sell = await h.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  // h answers t's 0.2 accept with an honest confirm... and also an over-grant of 0.8.
  h.network.prependListener('event', (ev: GossipEvent) => {
    if (ev.kind !== KIND.accept) return;
    h.network.publish(KIND.confirm, confirm(h, sell.order!.id, ev, 0.8 * BTC, 0.8 * BTC));
  });
  const res = await t.accept(sell.order!.id, 0.2 * BTC);
  await settle(c.nodes);
  // t refused the over-grant; the honest answer (0.2) is what stands everywhere.
  expect(res.filled).toBe(0.2 * BTC);
  expect(t.network.stats().eventsInvalid).toBeGreaterThanOrEqual(1);
  expect(t.trades().map((x) => x.amount)).toEqual([0.2 * BTC]);
  expect(t.digest()).toBe(h.digest());
});
