import { ErrorCode, ProtocolError } from '../wire/errors';
import { encodeFrame } from '../wire/frame';
import { EventMsg } from '../wire/messages';
import { decodeEvent, GossipEvent, verifyEvent } from './event';
import { SeenSet } from './seen-set';

export type Outcome = 'delivered' | 'duplicate' | 'stale' | 'future' | 'invalid';

export interface RouterHooks {
  now: () => number;
  /** App check of a verified event: null = accept, else a code (dropped, counted). */
  validate?: (ev: GossipEvent, from: string | null) => string | null;
  deliver: (ev: GossipEvent, from: string | null) => void;
  /** Sends one encoded event frame to every peer except those listed; returns frames sent. */
  broadcast: (frame: Buffer, except: ReadonlySet<string>) => number;
  /** A verified event the app refused, or one outside the time window. */
  dropped: (ev: GossipEvent, from: string, code: string) => void;
}

/**
 * Flood gossip with a seen-set: each event is verified once, delivered once and relayed
 * once, to every peer but the one it came from and its origin. Pure apart from the hooks.
 */
export class GossipRouter {
  readonly counts = { delivered: 0, duplicate: 0, stale: 0, future: 0, invalid: 0, relayedFrames: 0 };

  constructor(
    readonly seen: SeenSet,
    private readonly hooks: RouterHooks,
  ) {}

  /** Our own new event: remembered (so echoes drop) and sent to every peer. Returns frames sent. */
  publish(ev: GossipEvent): number {
    this.seen.add(ev.id, ev.ts, this.hooks.now());
    const frames = this.hooks.broadcast(this.frame(ev, 0), new Set());
    this.counts.relayedFrames += frames;
    return frames;
  }

  /** An `event` frame from peer `from`. Throws ProtocolError (BAD_EVENT, BAD_SIGNATURE) on forgery. */
  receive(msg: EventMsg, from: string): Outcome {
    const ev = decodeEvent(msg.body, msg.sig, msg.hops);
    const now = this.hooks.now();
    // Dedupe before the ~50-100 µs verify; flooding makes most arrivals duplicates.
    if (this.seen.has(ev.id, now)) return this.count('duplicate');
    if (this.seen.isStale(ev.ts, now)) return this.drop(ev, from, 'stale', 'EVENT_TOO_OLD');
    if (this.seen.isFuture(ev.ts, now)) return this.drop(ev, from, 'future', 'EVENT_FROM_FUTURE');
    if (!verifyEvent(ev)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, `event ${ev.id} is not signed by its origin`);
    // Only now: a forged copy must not make the real event look already seen.
    this.seen.add(ev.id, ev.ts, now);
    const refusal = this.hooks.validate?.(ev, from) ?? null;
    if (refusal !== null) return this.drop(ev, from, 'invalid', refusal);
    this.hooks.deliver(ev, from);
    this.counts.relayedFrames += this.hooks.broadcast(this.frame(ev, ev.hops + 1), new Set([from, ev.origin]));
    return this.count('delivered');
  }

  /**
   * An event that came in a peer's book sync (already verified). If it is new to us and
   * still inside the time window, it is handled exactly like gossip — validated,
   * delivered, relayed — so what one node catches up on after a lost link also reaches
   * the nodes behind it. Returns false when it is not (seen already, or too old to
   * relay): the caller hands it to the app as a plain sync event.
   */
  adoptFromSync(ev: GossipEvent, from: string): boolean {
    const now = this.hooks.now();
    if (this.seen.has(ev.id, now) || this.seen.isStale(ev.ts, now) || this.seen.isFuture(ev.ts, now)) return false;
    this.seen.add(ev.id, ev.ts, now);
    ev.synced = true;
    const refusal = this.hooks.validate?.(ev, from) ?? null;
    if (refusal !== null) {
      this.drop(ev, from, 'invalid', refusal);
      return true;
    }
    this.hooks.deliver(ev, from);
    this.counts.relayedFrames += this.hooks.broadcast(this.frame(ev, ev.hops + 1), new Set([from, ev.origin]));
    this.count('delivered');
    return true;
  }

  private frame(ev: GossipEvent, hops: number): Buffer {
    return encodeFrame({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops });
  }

  private count(o: Outcome): Outcome {
    this.counts[o]++;
    return o;
  }

  private drop(ev: GossipEvent, from: string, o: Outcome, code: string): Outcome {
    this.hooks.dropped(ev, from, code);
    return this.count(o);
  }
}
