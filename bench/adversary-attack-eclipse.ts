/**
 * An eclipse attempt (issue 11): the attacker runs listeners of its own (real nodes that
 * complete handshakes) and floods the victim with `peers` messages advertising them
 * among 1,600 bogus addresses (closed ports on loopback), 50 messages of 32 per link;
 * each time the victim drops and bans the link, a fresh key comes back and does it again.
 */
import { Identity } from '../src/identity/identity';
import { NetNode } from '../src/net/node';
import { MAX_LINKS_PER_ATTACK, type Attack, type AttackContext, type Counts } from './adversary-attack';
import { ATTACK_HOST, LISTENER_HOST } from './adversary-market';
import { AttackPeer } from './adversary-peer';

/** As many listeners as the victim has outbound slots (targetOutbound default). */
const LISTENERS = 8;
/** Issue 11's figures: 1,600 addresses in 50 messages of 32. */
const MESSAGES = 50;
const PER_MESSAGE = 32;

export function eclipse(): Attack {
  const listeners: NetNode[] = [];
  return {
    async prepare(): Promise<void> {
      for (let i = 0; i < LISTENERS; i++) listeners.push(await NetNode.start({ host: LISTENER_HOST, targetOutbound: 0 }));
    },
    async run(ctx: AttackContext): Promise<Counts> {
      const counts: Counts = { links: 0, linksRefused: 0, peersMessages: 0, addresses: 0 };
      const real = listeners.map((l) => ({ id: Buffer.from(l.nodeId, 'hex'), host: LISTENER_HOST, port: l.port }));
      let round = 0;
      while (!ctx.stopped() && counts.links < MAX_LINKS_PER_ATTACK) {
        let peer: AttackPeer;
        try {
          peer = await AttackPeer.connect(ctx.port, ATTACK_HOST, Identity.generate());
        } catch {
          counts.linksRefused++;
          continue;
        }
        counts.links++;
        round++;
        for (let m = 0; m < MESSAGES && peer.open; m++) {
          // Closed ports on hosts nobody listens on (port 1), the real listeners among them.
          const bogus = Array.from({ length: PER_MESSAGE }, (_, i) => ({ id: Identity.generate().publicKey, host: `127.${4 + (round % 200)}.${m}.${i + 1}`, port: 1 }));
          const peers = m === 0 ? [...real, ...bogus.slice(real.length)] : bogus;
          peer.send({ t: 'peers', peers });
          counts.peersMessages++;
          counts.addresses += peers.length;
        }
        await Promise.race([peer.closed, ctx.stopping]);
        peer.close();
      }
      const s = listeners.map((l) => l.stats().inbound);
      counts.listenerLinksAtEnd = s.reduce((a, b) => a + b, 0);
      return counts;
    },
    async close(): Promise<void> {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
