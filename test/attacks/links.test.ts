/**
 * Issue 9, links held against a node:
 *
 * - a peer that sends an `error` frame and keeps its end of the TCP stream open is
 *   released anyway: the node destroys its socket after the grace period (we wait for
 *   the node's own socket to close, while the attacker's end is still open);
 * - a node that restarts while its peer still holds the old link half-open (the reset
 *   was lost) does not redial in a tight loop, and links again once the old link looks
 *   dead. In virtual time (src/sim/world.ts): the dials are counted, nothing is waited for.
 */
import type { Duplex } from 'node:stream';
import { realClock } from '../../src/clock/real-clock';
import { World } from '../../src/sim/world';
import { tcpTransport } from '../../src/transport/tcp';
import type { Transport } from '../../src/transport/transport';
import { ErrorCode } from '../../src/wire/errors';
import { Attacker } from '../support/attacker';
import { BTC, honestTrade } from '../support/attack-checks';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';
import { MemoryLog } from '../net/support/memory-log';

/** A peer pings every 15 s; a link silent 1.5 intervals looks dead (src/peer/manager.ts). */
const LOOKS_DEAD_MS = 1.5 * 15_000;
/** The idle timeout (45 s) ends a dead link anyway: a minute covers both, and the backoff between. */
const LOOK_DEAD_WITHIN_MS = 60_000;
/** The redial backoff's first step (src/net/options.ts): the next dial comes 0.5–1 of it later. */
const BACKOFF_BASE_MS = 1_000;

describe('an error frame, then the attacker keeps its end open', () => {
  let c: Cluster;
  const open: Attacker[] = [];
  afterEach(async () => {
    for (const a of open.splice(0)) a.close();
    await c.close();
  });

  test('the node destroys its socket within the grace period; the attacker never closed', async () => {
    // V's transport hands the test V's own end of every accepted stream.
    const accepted: Duplex[] = [];
    const tcp = tcpTransport(realClock);
    const transport: Transport = {
      listen: (host, port, onStream) => tcp.listen(host, port, (s, remote) => (accepted.push(s), onStream(s, remote))),
      connect: (host, port, opts) => tcp.connect(host, port, opts),
    };
    c = await cluster(2);
    const V = await c.start({ transport });
    await mesh(c.nodes);
    const a = await Attacker.connect(V.status().port, { allowHalfOpen: true });
    open.push(a);
    const ours = accepted.find((s) => (s as unknown as { remotePort: number }).remotePort === (a.stream as unknown as { localPort: number }).localPort);
    expect(ours).toBeDefined();
    const released = new Promise<void>((resolve) => ours!.once('close', () => resolve()));

    a.send({ t: 'error', code: ErrorCode.SHUTDOWN, message: 'bye, but I stay' });
    await released;
    // V let go; the attacker did not: its end was never ended nor destroyed.
    expect(a.stream.writableEnded).toBe(false);
    expect(a.stream.destroyed).toBe(false);
    expect(V.peers().map((p) => p.nodeId)).not.toContain(a.nodeId);

    const [b, x] = c.nodes;
    await honestTrade(c.nodes, b, x, settle);
  });
});

describe('a restart while the peer still holds the old link half-open', () => {
  test('the restarted node backs off instead of redialling in a loop, and links again once the old link looks dead', async () => {
    const logs = new Map<number, MemoryLog>();
    const logOf = (i: number): MemoryLog => logs.get(i) ?? logs.set(i, new MemoryLog()).get(i)!;
    // The seed decides which of two links from b the tie-break keeps: with this one, the
    // old, dead links win at first (asserted below), which is the case that matters.
    const w = new World({ seed: 'half-open-1', link: { latencyMs: 5 }, log: (n) => logOf(n.index) });
    try {
      const a = await w.addNode();
      const b = await w.addNode({ peers: [a] });
      const x = await w.addNode({ peers: [a] });
      await w.settle();

      // b dies; its reset is lost on the way, so a still holds the old link.
      w.network.partition([[a.host, x.host], [b.host]]);
      await w.kill(b);
      w.network.heal();
      expect(a.ex.peers().map((p) => p.nodeId)).toContain(b.nodeId);

      const dialsBefore = w.network.stats.connects;
      await w.boot(b);
      await w.run(LOOK_DEAD_WITHIN_MS);
      const dials = w.network.stats.connects - dialsBefore;

      // a and x refused b's new links as duplicates of the old ones at first...
      const refused = logOf(b.index).of('peer.disconnected').filter((f) => f.code === ErrorCode.DUPLICATE_CONNECTION && f.by === 'remote');
      expect(refused.length).toBeGreaterThanOrEqual(2);
      // ...and b waited its backoff between dials (at least half the 1 s base), instead of
      // redialling as soon as each refusal came (1,126 dials in this minute, before the fix).
      expect(dials).toBeLessThanOrEqual(2 * (LOOKS_DEAD_MS / (BACKOFF_BASE_MS / 2)) + 4);
      // An old link that still won the tie-break was let go once it looked dead...
      const replaced = [a, x].flatMap((n) => logOf(n.index).of('peer.disconnected')).filter((f) => f.peer === b.nodeId && f.reason === 'replaced by a new link from the same node');
      expect(replaced.length).toBeGreaterThanOrEqual(1);
      // ...and b is linked again with both, and dials no more.
      for (const n of [a, x]) {
        expect(n.ex.peers().map((p) => p.nodeId)).toContain(b.nodeId);
        expect(b.ex.peers().map((p) => p.nodeId)).toContain(n.nodeId);
      }
      const settled = w.network.stats.connects;
      await w.run(LOOK_DEAD_WITHIN_MS);
      expect(w.network.stats.connects).toBe(settled);

      await w.settle();
      const sell = await w.until(b.ex.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC }));
      await w.settle();
      expect((await w.until(x.ex.accept(sell.order!.id))).filled).toBe(1 * BTC);
      await w.settle();
      for (const n of [a, b, x]) {
        expect(n.ex.trades().map((t) => t.orderId)).toEqual([sell.order!.id]);
        expect(n.ex.digest()).toBe(a.ex.digest());
      }
    } finally {
      await w.close();
    }
  });
});
