/**
 * What every attack of the benchmark shares: how it is told where the victim is and when
 * to stop, what it reports, and the loop that floods frames over link after link (a
 * dropped and banned link is replaced by a new one with a fresh key — on loopback the
 * victim never bans the IP, so this is an attacker with as many addresses as it likes).
 */
import { Identity } from '../src/identity/identity';
import { ATTACK_HOST } from './adversary-market';
import { AttackPeer } from './adversary-peer';

/** Every attack stops by itself after this many frames, whatever the main process says. */
export const MAX_FRAMES_PER_ATTACK = 2_000_000;
/** ... and after this many links. */
export const MAX_LINKS_PER_ATTACK = 100_000;
/** Frames written between two looks at what the victim sent (a 16 KiB socket buffer's worth). */
const YIELD_EVERY = 64;

export interface AttackContext {
  /** The victim's listening port on 127.0.0.1, and its node id. */
  port: number;
  victimId: string;
  /** Attack-specific inputs from the main process (order ids to aim at). */
  params: Record<string, string>;
  /** True once the main process said stop (or the attack's own time bound passed). */
  stopped(): boolean;
  /** Resolves when stopped() turns true. */
  stopping: Promise<void>;
  /** Tells the main process something while the attack runs (e.g. the silent maker's order id). */
  post(msg: Record<string, unknown>): void;
}

export type Counts = Record<string, number>;

export interface Attack {
  /** Builds what the attack needs before it is timed (keys, listeners). */
  prepare?(ctx: AttackContext): Promise<void>;
  /** Runs until ctx.stopped(); returns what it did. */
  run(ctx: AttackContext): Promise<Counts>;
  /** Releases what prepare() built. */
  close?(): Promise<void>;
}

/**
 * Writes `frame()` after `frame()` as fast as the socket drains, over one link after
 * another (each with a fresh link key) until stopped. Counts links opened, links
 * refused at the handshake, frames written, and how each link ended.
 */
export async function floodOverLinks(ctx: AttackContext, frame: () => Buffer, counts: Counts): Promise<void> {
  counts.links ??= 0;
  counts.linksRefused ??= 0;
  counts.frames ??= 0;
  while (!ctx.stopped() && counts.links < MAX_LINKS_PER_ATTACK && counts.frames < MAX_FRAMES_PER_ATTACK) {
    let peer: AttackPeer;
    try {
      peer = await AttackPeer.connect(ctx.port, ATTACK_HOST, Identity.generate());
    } catch {
      counts.linksRefused++;
      continue;
    }
    counts.links++;
    while (peer.open && !ctx.stopped() && counts.frames < MAX_FRAMES_PER_ATTACK) {
      counts.frames++;
      if (!peer.write(frame())) await Promise.race([peer.drained(), ctx.stopping]);
      // Loopback's kernel buffers take megabytes before write() says wait: read now and
      // then anyway, or the victim's goodbye is lost in the reset that follows it.
      else if (counts.frames % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    peer.close();
    await peer.closed;
    const why = `closedWith_${peer.refusal ?? 'none'}`;
    counts[why] = (counts[why] ?? 0) + 1;
  }
}
