/**
 * Slot filling (issue 11): keyed links with fresh keys that do nothing but hold an
 * inbound slot, reopened as soon as the victim evicts them, and keyless sockets that
 * say hello and never authenticate, reopened as soon as the handshake pool closes them.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Identity } from '../src/identity/identity';
import { makeHello } from '../src/peer/handshake';
import { encodeFrame } from '../src/wire/frame';
import { MAX_LINKS_PER_ATTACK, type Attack, type AttackContext, type Counts } from './adversary-attack';
import { ATTACK_HOST, KEYLESS_HOST } from './adversary-market';
import { AttackPeer } from './adversary-peer';

/** The victim's inbound slots (maxInbound default) and its handshake pool, each filled at once. */
const KEYED = 64;
const KEYLESS = 64;

export function slotFill(): Attack {
  return {
    async run(ctx: AttackContext): Promise<Counts> {
      const counts: Counts = { keyedLinks: 0, keyedRefused: 0, keyedEvicted: 0, keylessSockets: 0 };
      const total = () => counts.keyedLinks + counts.keyedRefused + counts.keylessSockets;
      const keyed = async (): Promise<void> => {
        while (!ctx.stopped() && total() < MAX_LINKS_PER_ATTACK) {
          let peer: AttackPeer;
          try {
            peer = await AttackPeer.connect(ctx.port, ATTACK_HOST, Identity.generate());
          } catch {
            counts.keyedRefused++;
            continue;
          }
          counts.keyedLinks++;
          await Promise.race([peer.closed, ctx.stopping]);
          if (!peer.open) counts.keyedEvicted++;
          peer.close();
        }
      };
      const sockets = new Set<Socket>();
      const template = makeHello(Identity.generate(), 0, 'bench-attacker', Date.now(), randomBytes(32));
      const keyless = (): void => {
        if (ctx.stopped() || total() >= MAX_LINKS_PER_ATTACK) return;
        const s = AttackPeer.socket(ctx.port, KEYLESS_HOST);
        counts.keylessSockets++;
        sockets.add(s);
        s.resume(); // read and drop what the victim says, so its goodbye closes the socket
        s.once('connect', () => s.write(encodeFrame({ ...template, id: randomBytes(32), nonce: randomBytes(32), ts: Date.now() })));
        s.once('close', () => {
          sockets.delete(s);
          keyless();
        });
      };
      for (let i = 0; i < KEYLESS; i++) keyless();
      await Promise.all(Array.from({ length: KEYED }, keyed));
      await ctx.stopping;
      for (const s of sockets) s.destroy();
      return counts;
    },
  };
}
