/**
 * Issue 11, accept spam: every accept an owner answers is a signed, stored, gossiped
 * confirm on every node. An attacker with a real handshake sends owner V 300 valid
 * accepts of one order, as fast as the socket drains:
 *
 * - of an order already filled: no confirm at all (its final state is public);
 * - of an open order: at most MAX_ANSWERS_PER_TAKER confirms, the rest ignored
 *   (status limits.acceptsIgnored); an honest take of the same order is still answered.
 *
 * The accepts beyond the key's origin budget are refused before the owner sees them;
 * V's honest neighbours B and X end with V's book and trades.
 */
import { MIN_TAKE_SATS } from '../../src/exchange/kinds/accept';
import type { Exchange } from '../../src/exchange/exchange';
import { KIND } from '../../src/exchange/events';
import { MAX_ANSWERS_PER_TAKER } from '../../src/exchange/owner-desk';
import { ORIGIN_ACCEPT_RATE } from '../../src/limits/budgets';
import { Attacker } from '../support/attacker';
import { BTC } from '../support/attack-checks';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';

const SPAM = 300;
let c: Cluster;
let V: Exchange;
const open: Attacker[] = [];
beforeAll(async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  V = c.nodes[0];
});
afterAll(async () => {
  for (const a of open) a.close();
  await c.close();
});

async function spam(orderId: string, amount = MIN_TAKE_SATS): Promise<{ a: Attacker; sent: number }> {
  const a = await Attacker.connect(V.status().port);
  open.push(a);
  const sent = await a.flood(SPAM, () => {
    const now = Date.now();
    return a.sign(KIND.accept, { order: orderId, amount, deadline: now + 5_000 }, { ts: now });
  });
  await settle(c.nodes);
  return { a, sent };
}

/** Confirms of `orderId` answering accepts of `taker`, as any node records them (its trades and the confirms it relayed). */
const confirmsFor = (seen: Attacker, orderId: string, taker: string) => seen.events().filter((e) => e.kind === KIND.confirm && e.data.order === orderId && e.data.taker === taker);

test(`${SPAM} accepts of an order already filled: no confirm at all`, async () => {
  const [, b, x] = c.nodes;
  const sold = await V.place({ side: 'sell', price: 5_000_000, amount: 0.1 * BTC });
  await settle(c.nodes);
  expect((await b.accept(sold.order!.id)).filled).toBe(0.1 * BTC);
  await settle(c.nodes);
  const seqBefore = V.order(sold.order!.id)!.seq;

  const { a, sent } = await spam(sold.order!.id);
  expect(sent).toBeGreaterThan(ORIGIN_ACCEPT_RATE.burst);
  expect(confirmsFor(a, sold.order!.id, a.nodeId)).toEqual([]);
  for (const n of c.nodes) {
    expect(n.order(sold.order!.id)).toMatchObject({ status: 'filled', seq: seqBefore });
    expect(n.trades().filter((t) => t.taker === a.nodeId)).toEqual([]);
  }
  // Refused before their signatures were even checked: the order is closed.
  expect(V.status().limits?.refused.ORDER_CLOSED).toBeGreaterThan(0);
  for (const n of [b, x]) expect(n.digest()).toBe(V.digest());
});

test(`${SPAM} accepts of an open order: at most MAX_ANSWERS_PER_TAKER (${MAX_ANSWERS_PER_TAKER}) confirms; an honest take is still answered`, async () => {
  const [, b, x] = c.nodes;
  const ask = await V.place({ side: 'sell', price: 5_100_000, amount: 1 * BTC });
  await settle(c.nodes);
  const ignoredBefore = V.status().limits!.acceptsIgnored;

  const { a } = await spam(ask.order!.id);
  const toAttacker = V.trades().filter((t) => t.taker === a.nodeId);
  // The first MAX_ANSWERS_PER_TAKER were answered (the minimum take granted each), the
  // rest that passed the budget were ignored: one confirm each, no more.
  expect(toAttacker).toHaveLength(MAX_ANSWERS_PER_TAKER);
  expect(V.order(ask.order!.id)!.seq).toBe(MAX_ANSWERS_PER_TAKER);
  const ignored = V.status().limits!.acceptsIgnored - ignoredBefore;
  expect(ignored).toBeGreaterThanOrEqual(ORIGIN_ACCEPT_RATE.burst - MAX_ANSWERS_PER_TAKER);

  // An honest taker is answered in full.
  const took = await x.accept(ask.order!.id, 0.5 * BTC);
  expect(took.filled).toBe(0.5 * BTC);
  await settle(c.nodes);
  for (const n of [b, x]) {
    expect(n.trades().map((t) => t.id).sort()).toEqual(V.trades().map((t) => t.id).sort());
    expect(n.digest()).toBe(V.digest());
  }
});

test(`${SPAM} one-sat accepts of an open order (dust): none answered, none relayed; an honest take is answered`, async () => {
  const [, b, x] = c.nodes;
  const ask = await V.place({ side: 'sell', price: 5_200_000, amount: 1 * BTC });
  await settle(c.nodes);
  const { a } = await spam(ask.order!.id, 1);
  expect(V.trades().filter((t) => t.taker === a.nodeId)).toEqual([]);
  expect(V.order(ask.order!.id)!.seq).toBe(0);
  expect(V.status().limits?.refused.DUST_ACCEPT).toBeGreaterThan(0);
  expect(a.events().filter((e) => e.kind === KIND.confirm && e.data.order === ask.order!.id)).toEqual([]);
  expect((await x.accept(ask.order!.id, 0.5 * BTC)).filled).toBe(0.5 * BTC);
  await settle(c.nodes);
  for (const n of [b, x]) expect(n.digest()).toBe(V.digest());
});
