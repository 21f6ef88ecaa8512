/**
 * Liveness across the network: an owner that vanishes has its orders marked stale
 * (shown, never matched) within the configured bound; when it comes back (same key,
 * same port) they are live again and crossing orders resolve.
 */
import { cluster, mesh, next, settle, FAST, type Cluster } from './support/cluster';

const BTC = 100_000_000;
let c: Cluster;
afterAll(async () => {
  await c?.close();
});

test('owner killed -> its orders go stale and are not matched; owner back -> live again', async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  const [a, b, x] = c.nodes;
  const aDir = c.dirOf(a);
  const aPort = a.status().port;
  const { order } = await a.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC });
  await settle(c.nodes);
  expect(b.book().asks[0]).toMatchObject({ id: order!.id, stale: false });

  const goneAt = Date.now();
  const staleSeen = Promise.all([next<[string]>(b, 'owner-stale'), next<[string]>(x, 'owner-stale')]);
  await a.network.close({ abrupt: true });
  await a.close();
  const [[who]] = await staleSeen;
  expect(who).toBe(a.nodeId);
  // Bound: stale after staleAfterMs, noticed by a sweep at most a heartbeat later.
  expect(Date.now() - goneAt).toBeLessThan(FAST.staleAfterMs! + FAST.heartbeatMs! + 1_000);
  expect(b.book().asks[0]).toMatchObject({ id: order!.id, stale: true });

  // A crossing buy does not match the stale order; it rests.
  const buy = await b.place({ side: 'buy', price: 5_000_000, amount: 0.4 * BTC });
  expect(buy).toMatchObject({ filled: 0, rested: 0.4 * BTC });
  await expect(x.accept(order!.id)).rejects.toMatchObject({ code: 'OWNER_STALE' });

  // A comes back with the same key and port; peers sync its order back to it.
  const liveAgain = next<[string]>(b, 'owner-live');
  const a2 = await c.start({ dataDir: aDir, port: aPort });
  expect(a2.nodeId).toBe(a.nodeId);
  await a2.connect('127.0.0.1', b.status().port);
  await liveAgain;
  await settle(c.nodes.filter((n) => n !== a));
  expect(x.order(order!.id)?.stale).toBe(false);
  // B's newer buy crossed A's older sell: B takes 0.4 of it now that A answers.
  for (const n of [a2, b, x]) {
    expect(n.book().bids).toEqual([]);
    expect(n.book().asks.map((o) => [o.id, o.remaining])).toEqual([[order!.id, 0.6 * BTC]]);
  }
});
