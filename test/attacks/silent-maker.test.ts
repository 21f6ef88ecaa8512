/**
 * Issue 11, the silent maker: an ask from a key that heartbeats (so it is never stale)
 * and never answers an accept. It must not freeze trading at its price.
 *
 * Honest buyer B crosses it: place() returns within one accept timeout with that leg
 * `pending` (neither filled, nor rested, nor refused); B cools the owner down
 * (status limits.ownersCooling, one `owner.unresponsive` log line). Right after, an honest
 * ask at the same price and B's next bid trade with each other, past the silent ask.
 */
import type { Exchange } from '../../src/exchange/exchange';
import { COOLDOWN_BASE_MS } from '../../src/exchange/cooldown';
import { KIND } from '../../src/exchange/events';
import { Attacker } from '../support/attacker';
import { BTC } from '../support/attack-checks';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';
import { MemoryLog } from '../net/support/memory-log';

const PRICE = 5_000_000;
/** Short waits: an accept times out after half a second here. */
const TUNING = { acceptTimeoutMs: 500, clockBoundMs: 1_000, lateHoldMs: 500, heartbeatMs: 200, staleAfterMs: 1_500 };
/** The silent maker heartbeats well within staleAfterMs, so only its silence counts against it. */
const BEAT_MS = 300;

let c: Cluster;
let maker: Attacker;
let beating: NodeJS.Timeout | null = null;
afterEach(async () => {
  if (beating) clearInterval(beating);
  maker?.close();
  await c.close();
});

test('a maker that never answers: the crossing buy returns pending in time, the owner cools down, honest orders at its price trade', async () => {
  c = await cluster(2, { tuning: TUNING });
  const log = new MemoryLog();
  const B = await c.start({ log });
  await mesh(c.nodes);
  const [V, X] = c.nodes as [Exchange, Exchange, Exchange];

  maker = await Attacker.connect(V.status().port);
  const ask = maker.sign(KIND.add, { side: 'sell', price: PRICE, amount: 1 * BTC });
  maker.gossip(ask);
  beating = setInterval(() => maker.gossip(maker.sign(KIND.heartbeat, {})), BEAT_MS);
  await settle(c.nodes);
  expect(B.order(ask.id)).toMatchObject({ status: 'open', stale: false });

  // B's buy crosses the silent ask: the leg is pending when place() returns.
  const first = await B.place({ side: 'buy', price: PRICE, amount: 1 * BTC });
  expect(first).toMatchObject({ filled: 0, rested: 0, refused: [], fills: [] });
  expect(first.pending).toEqual([expect.objectContaining({ orderId: ask.id, requested: 1 * BTC })]);
  // ...and B has struck the owner: it cools down.
  expect(B.status().limits?.ownersCooling).toBe(1);
  // ...until the first pause ends, which status says (the owner is matched again after it).
  const pauseLeft = (B.status().limits?.coolingUntil ?? 0) - Date.now();
  expect(pauseLeft).toBeGreaterThan(COOLDOWN_BASE_MS / 2);
  expect(pauseLeft).toBeLessThanOrEqual(COOLDOWN_BASE_MS);
  expect(log.of('owner.unresponsive')).toEqual([expect.objectContaining({ node: maker.nodeId, order: ask.id })]);
  // Still heartbeating, still in the book: only the cool-down keeps B from it now.
  expect(B.order(ask.id)).toMatchObject({ status: 'open', stale: false });

  // Right after (B's first leg is still on hold): an honest ask at the same price...
  const seen = new Promise<void>((resolve) => B.on('order', (o) => o.owner === X.nodeId && resolve()));
  const honestAsk = await X.place({ side: 'sell', price: PRICE, amount: 0.5 * BTC });
  await seen;
  expect(B.status().late).toMatchObject({ unknown: 1, lapsed: 0 });
  // ...and B's next bid trades with it, passing over the silent ask ahead of it.
  const second = await B.place({ side: 'buy', price: PRICE, amount: 0.5 * BTC });
  expect(second.fills.map((f) => f.orderId)).toEqual([honestAsk.order!.id]);
  expect(second.filled).toBe(0.5 * BTC);
  expect(second.pending).toEqual([]);

  await settle(c.nodes);
  for (const n of c.nodes) {
    expect(n.trades().map((t) => t.orderId)).toEqual([honestAsk.order!.id]);
    expect(n.order(ask.id)).toMatchObject({ filled: 0 });
  }
  // B's first bid rested once its hold ended with no grant: every node has the same book.
  for (const n of c.nodes) expect(n.digest()).toBe(V.digest());
});
