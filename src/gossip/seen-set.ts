/**
 * The ids of events already handled, for `windowMs`. Pure: time comes in.
 *
 * Two bounds keep memory flat under any flood: entries expire, and at most `max` are
 * kept. Every id it forgets would become replayable, so forgetting raises a floor:
 * events stamped at or before the floor are refused as stale (`isStale`). Expiry keeps
 * an entry until no event with its timestamp could pass the age check any more;
 * eviction for room lifts the floor to the evicted event's timestamp.
 */
export class SeenSet {
  /** id → [event ts, keep-until]; insertion order = arrival order. */
  private entries = new Map<string, [number, number]>();
  private floorTs = -Infinity;

  constructor(
    readonly windowMs: number,
    readonly max: number,
    /** How far in the future an accepted ts may be (the clock bound). */
    readonly futureMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Events stamped at or before this are refused (raised when ids had to be evicted early). */
  get floor(): number {
    return this.floorTs;
  }

  has(id: string, now: number): boolean {
    this.expire(now);
    return this.entries.has(id);
  }

  /** Too old to accept: beyond the window, or at/below the floor. */
  isStale(ts: number, now: number): boolean {
    return ts < now - this.windowMs || ts <= this.floorTs;
  }

  isFuture(ts: number, now: number): boolean {
    return ts > now + this.futureMs;
  }

  add(id: string, ts: number, now: number): void {
    this.expire(now);
    if (this.entries.has(id)) return;
    if (this.entries.size >= this.max) {
      const [oldId, [oldTs]] = this.entries.entries().next().value as [string, [number, number]];
      this.entries.delete(oldId);
      if (oldTs > this.floorTs) this.floorTs = oldTs;
    }
    // An accepted ts is at most now + futureMs, so by arrival + window + futureMs the
    // age check alone refuses it; a bound monotone in arrival lets expiry pop from the front.
    this.entries.set(id, [ts, now + this.windowMs + this.futureMs]);
  }

  private expire(now: number): void {
    for (const [id, [, until]] of this.entries) {
      if (until > now) return;
      this.entries.delete(id);
    }
  }
}
