/**
 * Who has been heard from lately. An owner not heard from (any signed event of its
 * own: heartbeat, add, confirm, cancel) within `staleAfterMs` is stale: its orders are
 * shown as stale and never matched, until it is heard from again. Pure: the caller
 * feeds times and calls `sweep(now)` from its own timer; sweep reports transitions so
 * they can be logged and awaited.
 */
import type { SignedBytes } from './order-ledger';

export interface LivenessChange {
  node: string;
  stale: boolean;
}

export class Liveness {
  private readonly lastHeard = new Map<string, number>();
  private readonly staleNow = new Set<string>();
  /** Each node's latest heartbeat, passed on in book sync so a joiner knows who is alive. */
  private readonly beats = new Map<string, { id: string; ts: number; raw: SignedBytes }>();

  /** Stale nodes forgotten by `sweep`, so their return is still reported (bounded). */
  private readonly forgottenStale = new Set<string>();

  constructor(
    private readonly staleAfterMs: number,
    /**
     * Nodes silent this long are forgotten altogether (a forgotten node is stale, as
     * one never heard of): heartbeats from throwaway keys must not grow memory forever.
     */
    private readonly forgetAfterMs = Math.max(10 * staleAfterMs, 5 * 60_000),
  ) {}

  /**
   * `at` is the event's own time (the origin's clock, already checked against ours
   * within the clock bound), capped at our `now` so a fast clock can't buy extra life.
   * Returns a change when this brings a stale node back.
   */
  heard(node: string, at: number, now: number): LivenessChange | null {
    const t = Math.min(at, now);
    if (now - t > this.forgetAfterMs) return null; // old news (a sync): no sign of life
    if (t > (this.lastHeard.get(node) ?? -Infinity)) this.lastHeard.set(node, t);
    if (this.forgottenStale.delete(node) && now - t <= this.staleAfterMs) return { node, stale: false };
    if (this.staleNow.has(node) && now - this.lastHeard.get(node)! <= this.staleAfterMs) {
      this.staleNow.delete(node);
      return { node, stale: false };
    }
    return null;
  }

  /** Keeps the node's latest heartbeat (of two versions of one, the body that sorts first, as every node does). */
  heartbeat(node: string, ts: number, raw: SignedBytes, id: string): void {
    const prev = this.beats.get(node);
    if (!prev || ts > prev.ts || (ts === prev.ts && Buffer.compare(raw.body, prev.raw.body) < 0)) this.beats.set(node, { id, ts, raw });
  }

  /** The kept heartbeat of `node` if its id is `id` (the first version, for a proof). */
  beatById(node: string, id: string): SignedBytes | undefined {
    const b = this.beats.get(node);
    return b && b.id === id ? b.raw : undefined;
  }

  isStale(node: string, now: number): boolean {
    const t = this.lastHeard.get(node);
    return t === undefined || now - t > this.staleAfterMs;
  }

  /** Marks newly stale nodes among those heard of; returns the transitions. */
  sweep(now: number): LivenessChange[] {
    const out: LivenessChange[] = [];
    for (const [node, t] of this.lastHeard) {
      if (now - t > this.forgetAfterMs) {
        this.lastHeard.delete(node);
        this.beats.delete(node);
        if (this.staleNow.delete(node)) {
          if (this.forgottenStale.size >= 10_000) this.forgottenStale.delete(this.forgottenStale.values().next().value as string);
          this.forgottenStale.add(node);
        }
        continue;
      }
      const stale = now - t > this.staleAfterMs;
      if (stale && !this.staleNow.has(node)) {
        this.staleNow.add(node);
        out.push({ node, stale: true });
      } else if (!stale && this.staleNow.has(node)) {
        this.staleNow.delete(node);
        out.push({ node, stale: false });
      }
    }
    return out;
  }

  /** Each node's latest heartbeat, of the nodes `keep` accepts (owners with open orders). */
  latestHeartbeats(keep: (node: string) => boolean = () => true): SignedBytes[] {
    return [...this.beats.entries()].filter(([node]) => keep(node)).map(([, b]) => b.raw);
  }
}
