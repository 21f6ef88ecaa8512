/**
 * Owners that let our accepts run out unanswered are left out of matching for a while
 * (GossipSub-style backoff): a maker that never answers must not freeze trading at its
 * price. The pause doubles with every repeat and is forgotten after a long good spell.
 * A repeat is a failure after the pause ended: accepts that run out while the owner is
 * already cooling were sent before the pause began (cooling keeps new ones away), so
 * they are the same failure, not new ones. Counting each as a repeat had one placement
 * whose four legs crossed orders of one briefly unreachable owner pause it for 32
 * minutes (chaos seed 800: four strikes within a second), not 30 s.
 * Pure: time comes in.
 */

/** First pause: long enough that a placement retried at once skips the silent maker. */
export const COOLDOWN_BASE_MS = 30_000;
/** Longest pause: a node that was only slow for a while comes back within the hour. */
export const COOLDOWN_MAX_MS = 60 * 60_000;
/** Strikes are forgotten after this long without a new one. */
export const COOLDOWN_FORGET_MS = 6 * 60 * 60_000;
/** Owners remembered: bounded against throwaway keys (oldest strike forgotten first). */
export const COOLDOWN_MAX_OWNERS = 10_000;

interface Strikes {
  count: number;
  until: number;
  last: number;
}

export class Cooldown {
  private readonly owners = new Map<string, Strikes>();

  constructor(
    private readonly baseMs = COOLDOWN_BASE_MS,
    private readonly maxMs = COOLDOWN_MAX_MS,
  ) {}

  /** An accept to `owner` ran out unanswered. Returns the pause it gets (ms): what is left of the running one, if any. */
  strike(owner: string, now: number): number {
    let s = this.owners.get(owner);
    if (s && now < s.until) return s.until - now;
    if (s && now - s.last > COOLDOWN_FORGET_MS) s = undefined;
    const count = (s?.count ?? 0) + 1;
    const pause = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(count - 1, 20));
    this.owners.delete(owner);
    if (this.owners.size >= COOLDOWN_MAX_OWNERS) this.owners.delete(this.owners.keys().next().value as string);
    this.owners.set(owner, { count, until: now + pause, last: now });
    return pause;
  }

  /** Is `owner` left out of matching now? */
  cooling(owner: string, now: number): boolean {
    const s = this.owners.get(owner);
    return s !== undefined && now < s.until;
  }

  /** When the last pause running now ends; null if none runs. */
  lastEnd(now: number): number | null {
    let end: number | null = null;
    for (const s of this.owners.values()) if (now < s.until && (end === null || s.until > end)) end = s.until;
    return end;
  }

  /** Owners cooling down now (for status). */
  active(now: number): string[] {
    return [...this.owners.entries()].filter(([, s]) => now < s.until).map(([o]) => o);
  }
}
