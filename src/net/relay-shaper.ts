/**
 * Paces the events we send each peer to the budget that peer charges the link (every
 * node charges its links the same per-class budgets, docs/POLICY.md "Event budgets"),
 * a little under it. A relay that lets a burst through its own budgets — a sync caught
 * up after a partition, many origins at once — then hands it on at a rate its
 * neighbours take whole, instead of having the excess refused and being blamed for it.
 *
 * Queued frames wait, per link and class, until the link's bucket refills; past
 * MAX_QUEUED_BYTES per link the newest are dropped (the peer catches up through sync on
 * its next link). Our own events go ahead of relays: when a flood someone else signed
 * fills a link's queue, an honest owner's new order or answer still leaves at once
 * (bench:adversary, flood-fresh-keys: the maker's asks waited seconds behind the
 * attacker's relayed orders). They are bounded by our own origin budget, so they are
 * never dropped for the byte cap. Pure apart from the clock and the `send` it is given.
 */
import type { Clock, TimerHandle } from '../clock/clock';
import { TokenBucket, type RateSpec } from '../limits/token-bucket';

/** Half the per-peer write bound: what waits here never pushes a link into SLOW_READER. */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** We send at this share of the rate (and burst) the receiver allows, so clock and refill edges never tip it over. */
export const SHAPE_SHARE = 0.9;

/** One class's waiting frames on one link: ours first, then relays, each oldest first. */
interface ClassQueue {
  own: Buffer[];
  relayed: Buffer[];
}

interface LinkQueue {
  buckets: Map<string, TokenBucket>;
  queues: Map<string, ClassQueue>;
  bytes: number;
  timer: TimerHandle | null;
}

/** A rate scaled to SHAPE_SHARE of itself (never below one token per period). */
export function shaped(r: RateSpec): RateSpec {
  return { tokens: Math.max(1, Math.floor(r.tokens * SHAPE_SHARE)), perMs: r.perMs, burst: Math.max(1, Math.floor(r.burst * SHAPE_SHARE)) };
}

export class RelayShaper {
  private readonly links = new Map<string, LinkQueue>();
  private idle: Array<() => void> = [];
  /** Frames dropped because a link's queue was full. */
  dropped = 0;

  constructor(
    private readonly clock: Clock,
    /** Per class: the rate the receiver allows a link (shaped() is applied here). */
    private readonly rates: Record<string, RateSpec>,
    private readonly send: (peer: string, frame: Buffer) => boolean,
  ) {}

  /**
   * Sends `frame` (an event of budget class `cls`) to `peer` now, or when its bucket
   * allows; `own` frames (our events) go ahead of relays waiting in that class.
   */
  offer(peer: string, cls: string, frame: Buffer, own = false): boolean {
    const link = this.link(peer);
    let queue = link.queues.get(cls);
    const waiting = queue ? (own ? queue.own.length : queue.own.length + queue.relayed.length) : 0;
    if (waiting === 0 && this.bucket(link, cls).take(1, this.clock.now())) return this.send(peer, frame);
    if (!own && link.bytes + frame.length > MAX_QUEUED_BYTES) {
      this.dropped++;
      return false;
    }
    if (!queue) link.queues.set(cls, (queue = { own: [], relayed: [] }));
    (own ? queue.own : queue.relayed).push(frame);
    link.bytes += frame.length;
    this.schedule(peer, link);
    return true;
  }

  /** Frames waiting, all links. */
  get queued(): number {
    let n = 0;
    for (const l of this.links.values()) for (const q of l.queues.values()) n += q.own.length + q.relayed.length;
    return n;
  }

  /** Resolves once nothing waits (a quiescence point: frames queued here are work in flight). */
  drained(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** A link closed: what waited for it is dropped. */
  forget(peer: string): void {
    const link = this.links.get(peer);
    if (!link) return;
    this.clock.clearTimeout(link.timer);
    this.links.delete(peer);
    this.wake();
  }

  close(): void {
    for (const peer of [...this.links.keys()]) this.forget(peer);
  }

  private drain(peer: string, link: LinkQueue): void {
    link.timer = null;
    const now = this.clock.now();
    for (const [cls, queue] of link.queues) {
      const bucket = this.bucket(link, cls);
      while (queue.own.length + queue.relayed.length > 0 && bucket.take(1, now)) {
        const frame = (queue.own.length > 0 ? queue.own.shift() : queue.relayed.shift()) as Buffer;
        link.bytes -= frame.length;
        this.send(peer, frame);
      }
    }
    this.schedule(peer, link);
    this.wake();
  }

  private schedule(peer: string, link: LinkQueue): void {
    if (link.timer !== null) return;
    const now = this.clock.now();
    let at = Infinity;
    for (const [cls, queue] of link.queues) if (queue.own.length + queue.relayed.length > 0) at = Math.min(at, this.bucket(link, cls).readyAt(1, now));
    if (at === Infinity) return;
    link.timer = this.clock.setTimeout(() => this.drain(peer, link), Math.max(0, at - now));
  }

  private link(peer: string): LinkQueue {
    let l = this.links.get(peer);
    if (!l) this.links.set(peer, (l = { buckets: new Map(), queues: new Map(), bytes: 0, timer: null }));
    return l;
  }

  private bucket(link: LinkQueue, cls: string): TokenBucket {
    let b = link.buckets.get(cls);
    if (!b) {
      const rate = this.rates[cls];
      b = new TokenBucket(shaped(rate ?? { tokens: 1000, perMs: 1, burst: 1000 }));
      link.buckets.set(cls, b);
    }
    return b;
  }

  private wake(): void {
    if (this.queued === 0) for (const f of this.idle.splice(0)) f();
  }
}
