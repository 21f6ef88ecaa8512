/**
 * The silent maker (issue 11): a key that rests an ask at the honest price below it,
 * stays visibly alive (heartbeats every 2 s, as an honest owner does), and never answers
 * an accept. Honest buyers at that price wait one accept timeout on it; after that its
 * owner cools down and honest orders at its price must trade at once.
 */
import { Identity } from '../src/identity/identity';
import { type Attack, type AttackContext, type Counts } from './adversary-attack';
import { ATTACK_HOST, LOT, SILENT_PRICE } from './adversary-market';
import { AttackPeer, eventFrame } from './adversary-peer';

/** The daemon's default heartbeat period: what keeps an owner from looking stale. */
const HEARTBEAT_MS = 2_000;

export function silentMaker(): Attack {
  const key = Identity.generate();
  return {
    async run(ctx: AttackContext): Promise<Counts> {
      const counts: Counts = { links: 0, heartbeats: 0 };
      const peer = await AttackPeer.connect(ctx.port, ATTACK_HOST, key);
      counts.links++;
      const add = peer.sign('order.add', { side: 'sell', price: SILENT_PRICE, amount: LOT });
      peer.write(eventFrame(add));
      peer.write(eventFrame(peer.sign('order.refresh', { orders: [add.id] })));
      ctx.post({ posted: add.id });
      const beat = setInterval(() => {
        peer.write(eventFrame(peer.sign('node.heartbeat', {})));
        counts.heartbeats++;
      }, HEARTBEAT_MS);
      await Promise.race([ctx.stopping, peer.closed]);
      clearInterval(beat);
      counts.droppedByVictim = peer.open ? 0 : 1;
      peer.close();
      return counts;
    },
  };
}
