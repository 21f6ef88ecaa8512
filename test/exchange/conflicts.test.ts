/**
 * Conflicts settle the same way on every node (issue 9). An attacker with a real
 * handshake signs two versions of one event, or grants one order twice over, and shows
 * each version to a different node. Whatever order each node saw them in, all end in
 * one state: the origin flagged, the order out of the book and disputed, the trades on
 * it flagged — and no node records more than an order's amount as undisputed trades.
 */
import { randomBytes } from 'node:crypto';
import { KIND } from '../../src/exchange/events';
import type { Exchange } from '../../src/exchange/exchange';
import type { GossipEvent } from '../../src/gossip/event';
import { Attacker } from '../support/attacker';
import { cluster, mesh, settle, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
const attackers: Attacker[] = [];
afterEach(async () => {
  for (const a of attackers.splice(0)) a.close();
  await c?.close();
});

async function attacker(node: Exchange, as?: Attacker): Promise<Attacker> {
  const a = await Attacker.connect(node.status().port, as?.identity);
  attackers.push(a);
  return a;
}

/** Undisputed traded amount per order, as `node` records it. */
function undisputed(node: Exchange, orderId: string): number {
  return node.trades().filter((t) => t.orderId === orderId && !t.disputed).reduce((s, t) => s + t.amount, 0);
}

async function honestTradeStillWorks(nodes: Exchange[]): Promise<void> {
  const [maker, taker] = nodes;
  const sell = await maker.place({ side: 'sell', price: 7_000_000, amount: 0.1 * BTC });
  await settle(nodes);
  expect((await taker.accept(sell.order!.id)).filled).toBe(0.1 * BTC);
  await settle(nodes);
  for (const n of nodes) expect(n.trades().find((t) => t.orderId === sell.order!.id)?.disputed).toBeUndefined();
}

test('one id, two contents, shown to two nodes: every node ends with the same disputed order and the origin flagged', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b, x] = c.nodes;
  const toA = await attacker(a);
  const toB = await attacker(b, toA);
  const random = randomBytes(16);
  const ts = Date.now();
  const sell = toA.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 1 * BTC }, { ts, random });
  const buy = toA.sign(KIND.add, { side: 'buy', price: 1_000_000, amount: 1 * BTC }, { ts, random });
  expect(buy.id).toBe(sell.id);
  toA.gossip(sell);
  toB.gossip(buy);
  await settle(c.nodes);

  // The same version stands everywhere: the body that sorts first. Nobody may match it.
  const canonical = Buffer.compare(sell.raw.body, buy.raw.body) < 0 ? sell : buy;
  for (const n of c.nodes) {
    expect(n.order(sell.id)).toMatchObject({ disputed: 'TWO_VERSIONS', side: canonical.data.side, price: canonical.data.price });
    expect([...n.book().bids, ...n.book().asks].map((o) => o.id)).not.toContain(sell.id);
    expect(n.status().disputes).toMatchObject({ equivocators: 1, orders: 1 });
    expect(n.digest()).toBe(a.digest());
  }
  await expect(x.accept(sell.id)).rejects.toMatchObject({ code: 'ORDER_DISPUTED' });
  await honestTradeStillWorks([a, x, b]);
});

test('two full grants of one order, one shown to each of two nodes: both trades disputed everywhere, no undisputed overfill', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b, x] = c.nodes;
  const toA = await attacker(a);
  const toB = await attacker(b, toA);
  const add = toA.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 1_000 });
  toA.gossip(add);
  await settle(c.nodes);
  for (const n of c.nodes) expect(n.order(add.id)?.status).toBe('open');

  // Two takers each take the whole order; the owner grants both, each at seq 1.
  const tookB = b.accept(add.id);
  const tookX = x.accept(add.id);
  const accepts = new Map<string, GossipEvent>();
  while (accepts.size < 2) {
    const acc = await toA.nextEvent((ev) => ev.kind === KIND.accept && ev.data.order === add.id && !accepts.has(ev.id));
    accepts.set(acc.id, acc);
  }
  const grant = (acc: GossipEvent) =>
    toA.sign(KIND.confirm, {
      order: add.id, seq: 1, filled: 1_000, status: 'filled', add: add.raw.body, addSig: add.raw.sig,
      accept: acc.id, taker: acc.origin, amount: 1_000, acceptBody: acc.raw.body, acceptSig: acc.raw.sig,
    });
  const [g1, g2] = [...accepts.values()].map(grant);
  toA.gossip(g1); // a sees one grant first...
  toB.gossip(g2); // ...b the other
  // What each taker was told depends on which grant reached it first; what every node
  // records once both are known does not.
  await Promise.all([tookB, tookX]);
  await settle(c.nodes);

  for (const n of c.nodes) {
    expect(n.order(add.id)).toMatchObject({ disputed: 'SEQ_CONFLICT' });
    const onOrder = n.trades().filter((t) => t.orderId === add.id);
    expect(onOrder).toHaveLength(2);
    expect(onOrder.every((t) => t.disputed)).toBe(true);
    expect(undisputed(n, add.id)).toBeLessThanOrEqual(1_000);
    expect(n.status().disputes?.equivocators).toBe(1);
    expect(JSON.stringify(n.trades())).toBe(JSON.stringify(a.trades()));
  }
  await honestTradeStillWorks([b, a, x]);
});

test('a second grant at the next seq that adds up to more than the order is an overgrant, proven the same way', async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  const [a, b] = c.nodes;
  const toA = await attacker(a);
  const add = toA.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 1_000 });
  toA.gossip(add);
  await settle(c.nodes);
  const took = [b.accept(add.id, 1_000), a.accept(add.id, 1_000)];
  const accepts: GossipEvent[] = [];
  while (accepts.length < 2) accepts.push(await toA.nextEvent((ev) => ev.kind === KIND.accept && !accepts.some((x) => x.id === ev.id)));
  accepts.forEach((acc, i) =>
    toA.gossip(
      toA.sign(KIND.confirm, {
        order: add.id, seq: i + 1, filled: 1_000, status: 'filled', add: add.raw.body, addSig: add.raw.sig,
        accept: acc.id, taker: acc.origin, amount: 1_000, acceptBody: acc.raw.body, acceptSig: acc.raw.sig,
      }),
    ),
  );
  await Promise.all(took);
  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.order(add.id)).toMatchObject({ disputed: 'OVERGRANT' });
    expect(undisputed(n, add.id)).toBe(0);
  }
});

test('a false accusation (two unrelated events of one origin) ends the link: BAD_EVIDENCE', async () => {
  c = await cluster(1);
  const [a] = c.nodes;
  const m = await attacker(a);
  const e1 = m.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 1_000 });
  const e2 = m.sign(KIND.add, { side: 'sell', price: 5_000_000, amount: 2_000 });
  m.send({ t: 'proof', a: e1.raw, b: e2.raw });
  expect(await m.refusal()).toBe('BAD_EVIDENCE');
  expect(a.status().disputes?.equivocators).toBe(0);
});
