import type { Clock } from '../clock/clock';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { encodeFrame } from '../wire/frame';
import { MAX_HOPS, type EventMsg } from '../wire/messages';
import { decodeEvent, GossipEvent, verifyEvent } from './event';
import { SeenSet } from './seen-set';

/** `hops` above MAX_HOPS is refused by the frame's schema; nothing is relayed past it. */
export { MAX_HOPS };

export type Outcome = 'delivered' | 'duplicate' | 'stale' | 'future' | 'invalid' | 'conflict' | 'throttled';

/** How an event reached us: live gossip, or a peer's book sync. */
export type Via = 'gossip' | 'sync';

/**
 * The application behind the router (the exchange). It gets every verified event new to
 * this node, once, and says whether it takes it.
 */
export interface GossipApp {
  /**
   * `fresh`: the event's ts is inside the gossip time window (it can be relayed); a sync
   * also hands over older book state (`fresh` false), which the app may accept by its
   * own rules but which is never relayed. Return null to accept, or a refusal code.
   */
  receive(ev: GossipEvent, from: string, via: Via, fresh: boolean): string | null;
  /**
   * A second, validly signed body under an id already handled: its origin signed two
   * versions of one event. The app decides what it proves; null relays this version
   * once more (every node must learn of both), a code drops it.
   */
  conflict(ev: GossipEvent, from: string, via: Via): string | null;
  /**
   * A live event new to us, before its signature is checked (the cheap place to turn a
   * flood away): null admits it, a code drops it.
   */
  admitLink?(ev: GossipEvent, from: string): string | null;
}

/**
 * A refusal that means "not now" (a budget: `…_BUDGET`) is not remembered in the
 * seen-set: another copy, from a link with room or a little later, is still taken.
 */
export function isNotNow(code: string): boolean {
  return code.endsWith('_BUDGET');
}

export interface RouterHooks {
  clock: Clock;
  /** Sends one encoded event frame (of kind `kind`) to every peer except those listed; returns frames sent. */
  /** `own`: an event of ours (published, not relayed): it goes ahead of relays waiting for a link's budget. */
  broadcast: (frame: Buffer, except: ReadonlySet<string>, kind: string, own?: boolean) => number;
  /** A verified event the app refused, or one outside the time window. */
  dropped: (ev: GossipEvent, from: string, code: string) => void;
}

/** Accepts everything: a bare network node with no application on top. */
export const ACCEPT_ALL: GossipApp = { receive: () => null, conflict: () => null };

/**
 * Flood gossip with a seen-set: each event is verified once, given to the app once and
 * relayed once, to every peer but the one it came from and its origin. Pure apart from
 * the hooks: it never touches a socket.
 */
export class GossipRouter {
  readonly counts = { delivered: 0, duplicate: 0, stale: 0, future: 0, invalid: 0, conflict: 0, throttled: 0, relayedFrames: 0, tooManyHops: 0 };
  private app: GossipApp = ACCEPT_ALL;

  constructor(
    readonly seen: SeenSet,
    private readonly hooks: RouterHooks,
  ) {}

  /** Wires the application (construct, wire, then start). */
  setApp(app: GossipApp): void {
    this.app = app;
  }

  /** Our own new event (already applied by the app): remembered, so echoes drop, and sent to every peer. */
  publish(ev: GossipEvent): number {
    this.seen.add(ev.id, ev.ts, this.hooks.clock.now(), ev.raw.sig, ev.raw.body);
    const frames = this.hooks.broadcast(this.frame(ev, 0), new Set(), ev.kind, true);
    this.counts.relayedFrames += frames;
    return frames;
  }

  /** An `event` frame from peer `from`. Throws ProtocolError (BAD_EVENT, BAD_SIGNATURE) on forgery. */
  onEvent(msg: EventMsg, from: string): Outcome {
    const ev = decodeEvent(msg.body, msg.sig, msg.hops);
    const now = this.hooks.clock.now();
    // Dedupe before the ~50-100 µs verify; flooding makes most arrivals duplicates.
    const copy = this.seen.copy(ev.id, ev.raw.sig, ev.raw.body, now);
    if (copy === 'same') return this.count('duplicate');
    if (copy === 'other') return this.conflict(ev, from, 'gossip');
    if (this.seen.isStale(ev.ts, now)) return this.drop(ev, from, 'stale', 'EVENT_TOO_OLD');
    if (this.seen.isFuture(ev.ts, now)) return this.drop(ev, from, 'future', 'EVENT_FROM_FUTURE');
    const turned = this.app.admitLink?.(ev, from) ?? null;
    if (turned !== null) return this.drop(ev, from, 'throttled', turned);
    if (!verifyEvent(ev)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, `event ${ev.id} is not signed by its origin`);
    return this.take(ev, from, 'gossip', now);
  }

  /**
   * One verified event of a peer's book sync. New to us and inside the time window: it
   * is handled exactly like gossip (given to the app, relayed), so what one node
   * catches up on after a lost link also reaches the nodes behind it. Older: the app
   * may take it as book state; it is never relayed (receivers would refuse it as gossip).
   */
  onSyncEvent(ev: GossipEvent, from: string): Outcome {
    const now = this.hooks.clock.now();
    ev.synced = true;
    const copy = this.seen.copy(ev.id, ev.raw.sig, ev.raw.body, now);
    if (copy === 'same') return this.count('duplicate');
    if (copy === 'other') return this.conflict(ev, from, 'sync');
    if (this.seen.isFuture(ev.ts, now)) return this.drop(ev, from, 'future', 'EVENT_FROM_FUTURE');
    if (!this.seen.isStale(ev.ts, now)) return this.take(ev, from, 'sync', now);
    const refusal = this.app.receive(ev, from, 'sync', false);
    if (refusal !== null) return this.drop(ev, from, 'invalid', refusal);
    return this.count('delivered');
  }

  /** True if this very copy (same id, same body) was handled already: sync skips its signature check. */
  isHandledCopy(ev: GossipEvent): boolean {
    return this.seen.copy(ev.id, ev.raw.sig, ev.raw.body, this.hooks.clock.now()) === 'same';
  }

  /**
   * Another body under an id we handled. Verified like any event (a forgery is the
   * sender's fault); if genuine, the origin signed two versions: the app records what it
   * proves, and this version goes on once so every node sees both. Further versions
   * add nothing and are dropped.
   */
  private conflict(ev: GossipEvent, from: string, via: Via): Outcome {
    if (!verifyEvent(ev)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, `event ${ev.id} is not signed by its origin`);
    if (!this.seen.addVersion(ev.id, ev.raw.body)) return this.count('duplicate');
    const refusal = this.app.conflict(ev, from, via);
    if (refusal !== null) return this.drop(ev, from, 'invalid', refusal);
    if (ev.hops + 1 <= MAX_HOPS) this.counts.relayedFrames += this.hooks.broadcast(this.frame(ev, ev.hops + 1), new Set([from, ev.origin]), ev.kind);
    return this.count('conflict');
  }

  private take(ev: GossipEvent, from: string, via: Via, now: number): Outcome {
    // Only now: a forged copy must not make the real event look already seen.
    this.seen.add(ev.id, ev.ts, now, ev.raw.sig, ev.raw.body);
    const refusal = this.app.receive(ev, from, via, true);
    if (refusal !== null) {
      if (isNotNow(refusal)) this.seen.forget(ev.id);
      return this.drop(ev, from, isNotNow(refusal) ? 'throttled' : 'invalid', refusal);
    }
    // Relay nothing past MAX_HOPS: a receiver would refuse it.
    if (ev.hops + 1 <= MAX_HOPS) {
      this.counts.relayedFrames += this.hooks.broadcast(this.frame(ev, ev.hops + 1), new Set([from, ev.origin]), ev.kind);
    } else {
      this.counts.tooManyHops++;
    }
    return this.count('delivered');
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
