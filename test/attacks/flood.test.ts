/**
 * Issue 11, event floods. An attacker with a real handshake writes valid, signed
 * order.add events to victim V as fast as the socket drains (V's honest neighbours B and
 * C are linked to it and to each other):
 *
 * - 20,000 from one key (the issue's figure): over the origin budget after its burst
 *   (OVER_ORIGIN_BUDGET), V keeps at most MAX_OPEN_ORDERS of that key, the link's score
 *   sinks until V drops and bans it;
 * - up to 3,000 from 150 fresh keys (20 each) on one link: each key within its own
 *   budget; the link's relays draw on the young inbound links' pool, and the link goes
 *   over its own budget after its burst (OVER_LINK_BUDGET), dropped and banned the same way;
 * - fresh keys over three fresh links at once, each link within its own budget: all
 *   young inbound links together get one pool (OVER_YOUNG_LINKS_BUDGET), so fresh links
 *   do not bring fresh budgets.
 *
 * Each time B and C take nothing V refused and hold nothing against V for relaying what
 * it took — V paces its relays to each neighbour's link budget (src/net/relay-shaper.ts),
 * and a copy refused over a budget is not remembered as seen — and an honest trade
 * between B and C completes.
 */
import type { Exchange } from '../../src/exchange/exchange';
import { MAX_OPEN_ORDERS } from '../../src/exchange/currency';
import { KIND } from '../../src/exchange/events';
import { Identity } from '../../src/identity/identity';
import { DEFAULT_YOUNG_LINKS_BUDGETS, LINK_ORDER_RATE, ORIGIN_ORDER_RATE } from '../../src/limits/budgets';
import { ErrorCode } from '../../src/wire/errors';
import { Attacker } from '../support/attacker';
import { honestTrade } from '../support/attack-checks';
import { signEvent } from '../support/sign';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';

let c: Cluster;
let V: Exchange;
const open: Attacker[] = [];
beforeEach(async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  V = c.nodes[0];
});
afterEach(async () => {
  for (const a of open.splice(0)) a.close();
  await c.close();
});

async function attacker(identity?: Identity): Promise<Attacker> {
  const a = await Attacker.connect(V.status().port, identity ?? {});
  open.push(a);
  return a;
}

const bid = { side: 'buy', price: 4_000_000, amount: 1_000 };
const ordersOf = (n: Exchange, owners: Set<string>): string[] => n.book().bids.filter((o) => owners.has(o.owner)).map((o) => o.id).sort();

/** The flooder was dropped for its score and is banned: closed with SHUNNED, refused at its next hello. */
async function droppedAndBanned(a: Attacker): Promise<void> {
  expect(await a.refusal()).toBe(ErrorCode.SHUNNED);
  await a.closed;
  expect(V.status().limits?.peers.droppedByScore).toBe(1);
  expect(V.status().limits?.penalised.find((p) => p.peer === a.nodeId)?.until).toEqual(expect.any(Number));
  const again = await Attacker.connect(V.status().port, a.identity).catch((err: Error) => err);
  if (again instanceof Attacker) {
    open.push(again);
    expect(await again.refusal()).toBe(ErrorCode.SHUNNED);
  } else {
    expect(again.message).toMatch(/closed/);
  }
}

/**
 * B and C hold only orders of `owners` that V holds (they take nothing V refused), V is
 * still linked to both, an honest trade between B and C completes, and every node ends
 * with the same book but for the flood's orders: a neighbour may refuse a few of those
 * V took (see the todo below).
 */
async function honestNodesTrade(owners: Set<string>): Promise<void> {
  await settle(c.nodes);
  const [v, b, x] = c.nodes;
  const atV = new Set(ordersOf(v, owners));
  for (const n of [b, x]) {
    // Nothing V refused; (a refill edge apart — origin budgets run on each node's own
    // clock — the rest of what V took: V paces its relays to each link's budget).
    expect(ordersOf(n, owners).filter((id) => !atV.has(id))).toEqual([]);
    expect(v.peers().map((p) => p.nodeId)).toContain(n.nodeId);
    // V relayed all it took: no neighbour holds anything against it.
    expect(n.status().limits?.penalised.map((p) => p.peer)).not.toContain(v.nodeId);
  }
  await honestTrade(c.nodes, b, x, settle, 7_000_000, { ignoreOwners: owners });
}

test('20,000 orders from one key: throttled by its origin budget, at most MAX_OPEN_ORDERS kept, the link dropped and banned', async () => {
  const a = await attacker();
  const sent = await a.flood(20_000, () => a.sign(KIND.add, bid));
  await droppedAndBanned(a);

  const kept = ordersOf(V, new Set([a.nodeId]));
  const refused = V.status().limits!.refused;
  expect(refused.OVER_ORIGIN_BUDGET).toBeGreaterThan(0);
  expect(kept.length).toBeLessThanOrEqual(MAX_OPEN_ORDERS);
  // What got through is the key's burst and what its rate refilled meanwhile, no more.
  expect(kept.length).toBeGreaterThanOrEqual(ORIGIN_ORDER_RATE.burst);
  expect(kept.length + refused.OVER_ORIGIN_BUDGET).toBeLessThanOrEqual(sent);
  await honestNodesTrade(new Set([a.nodeId]));
});

test('orders from 150 fresh keys on one link: throttled by the young-links pool and the link budget, the link dropped and banned', async () => {
  const a = await attacker();
  // 20 orders per key: every key stays within its own burst; the link's relays draw on
  // the young inbound links' pool, and the link itself goes over its own budget (an
  // honest node paces what it sends each peer to that budget, so only a flood does).
  const keys = Array.from({ length: 150 }, () => Identity.generate());
  const owners = new Set(keys.map((k) => k.nodeId));
  const sent = await a.flood(20 * keys.length, (i) => signEvent(keys[i % keys.length], KIND.add, bid, Date.now()));
  await droppedAndBanned(a);

  const kept = ordersOf(V, owners);
  const refused = V.status().limits!.refused;
  const pool = DEFAULT_YOUNG_LINKS_BUDGETS.order;
  expect(refused.OVER_LINK_BUDGET).toBeGreaterThan(0);
  expect(refused.OVER_YOUNG_LINKS_BUDGET).toBeGreaterThan(0);
  expect(refused.OVER_ORIGIN_BUDGET).toBeUndefined(); // no key went over its own budget
  // The pool's burst got through; the rest waited for its rate, and the link did not last.
  expect(kept.length).toBeGreaterThanOrEqual(pool.burst);
  expect(kept.length).toBeLessThan(LINK_ORDER_RATE.burst);
  expect(kept.length + refused.OVER_LINK_BUDGET + refused.OVER_YOUNG_LINKS_BUDGET).toBeLessThanOrEqual(sent);
  await honestNodesTrade(owners);
});

test('fresh keys over three fresh links at once: the links share one young-links pool, a fifth of one link', async () => {
  const t0 = Date.now();
  const links = await Promise.all([attacker(), attacker(), attacker()]);
  const owners = new Set<string>();
  // 400 per link, each from a key of its own: every key and every link within its budget.
  const PER_LINK = 400;
  expect(PER_LINK).toBeLessThan(LINK_ORDER_RATE.burst);
  const sent = await Promise.all(
    links.map((a) =>
      a.flood(PER_LINK, () => {
        const k = Identity.generate();
        owners.add(k.nodeId);
        return signEvent(k, KIND.add, bid, Date.now());
      }),
    ),
  );
  expect(sent).toEqual([PER_LINK, PER_LINK, PER_LINK]);
  await settle(c.nodes);
  const elapsedS = (Date.now() - t0) / 1000;

  const kept = ordersOf(V, owners);
  const refused = V.status().limits!.refused;
  const pool = DEFAULT_YOUNG_LINKS_BUDGETS.order;
  expect(refused.OVER_YOUNG_LINKS_BUDGET).toBeGreaterThan(0);
  expect(refused.OVER_LINK_BUDGET).toBeUndefined();
  // Together they got the pool's burst and what it refilled meanwhile — not three bursts.
  expect(kept.length).toBeGreaterThanOrEqual(pool.burst);
  expect(kept.length).toBeLessThanOrEqual(pool.burst + Math.ceil((elapsedS * pool.tokens * 1000) / pool.perMs));
  expect(kept.length + refused.OVER_YOUNG_LINKS_BUDGET).toBe(3 * PER_LINK);
  // Draining the pool is no link's fault: none is dropped or held against.
  for (const a of links) expect(V.status().limits?.penalised.map((p) => p.peer)).not.toContain(a.nodeId);
  expect(V.status().limits?.peers.droppedByScore ?? 0).toBe(0);
  await honestNodesTrade(owners);
});
