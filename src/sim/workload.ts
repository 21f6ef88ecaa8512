/**
 * The seeded operation generator: what happens next, to whom, and when. It reads the
 * world (who is up, what each node's book shows, who is linked) to pick targets that
 * make sense, and draws everything else from its own random stream, so one seed gives
 * one sequence of operations.
 */
import type { Side } from '../exchange/api';
import type { SeededRandom } from '../clock/seeded-random';
import type { OpKind, Range, Scenario } from './scenarios';
import type { SimNode, World } from './world';

export type Op =
  | { kind: 'place'; node: SimNode; side: Side; price: number; amount: number }
  | { kind: 'accept'; node: SimNode; orderId: string; amount: number }
  | { kind: 'cancel'; node: SimNode; orderId: string }
  | { kind: 'drop'; node: SimNode; peer: string }
  | { kind: 'connect'; node: SimNode; to: SimNode }
  | { kind: 'kill' | 'stop'; node: SimNode; downMs: number }
  | { kind: 'partition'; groups: SimNode[][]; forMs: number };

/** What the generator must know of the run besides the world. */
export interface WorkloadState {
  /** A partition is in force (one at a time). */
  partitioned: boolean;
}

export class Workload {
  private readonly kinds: OpKind[];
  private readonly weights: number[];
  private readonly total: number;

  constructor(
    private readonly rng: SeededRandom,
    private readonly sc: Scenario,
  ) {
    this.kinds = (Object.keys(sc.mix) as OpKind[]).filter((k) => sc.mix[k] > 0);
    this.weights = this.kinds.map((k) => sc.mix[k]);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** Virtual ms until the next operation: exponential gaps (a Poisson stream), at least 1 ms. */
  gap(): number {
    const mean = 1000 / this.sc.opsPerSec;
    return Math.max(1, Math.round(-Math.log(1 - this.rng.random()) * mean));
  }

  /** Uniform integer in [r.min, r.max]. */
  within(r: Range): number {
    return r.min + this.rng.int(r.max - r.min + 1);
  }

  /** The next operation, or null when the kind drawn has no sensible target right now. */
  next(world: World, state: WorkloadState): Op | null {
    const kind = this.draw();
    const up = world.running;
    if (up.length === 0) return null;
    const node = this.pick(up);
    switch (kind) {
      case 'place':
        return this.place(node);
      case 'accept': {
        const book = node.ex.book();
        const open = [...book.bids, ...book.asks].filter((o) => o.owner !== node.nodeId && !o.stale && o.remaining > 0);
        if (open.length === 0) return null;
        const o = this.pick(open);
        // A fifth to all of what is left; more than is free when other takers hold part (refused).
        const amount = Math.max(1, Math.min(o.remaining, Math.floor(o.remaining * (0.2 + this.rng.random() * 0.9))));
        return { kind: 'accept', node, orderId: o.id, amount };
      }
      case 'cancel': {
        const mine = node.ex.myOrders().filter((o) => o.status === 'open');
        if (mine.length === 0) return null;
        return { kind: 'cancel', node, orderId: this.pick(mine).id };
      }
      case 'drop': {
        const peers = node.ex.peers();
        if (peers.length === 0) return null;
        return { kind: 'drop', node, peer: this.pick(peers).nodeId };
      }
      case 'connect': {
        const linked = new Set(node.ex.peers().map((p) => p.nodeId));
        const others = up.filter((n) => n !== node && !linked.has(n.nodeId));
        if (others.length === 0) return null;
        return { kind: 'connect', node, to: this.pick(others) };
      }
      case 'kill':
      case 'stop': {
        const down = world.nodes.length - up.length;
        if (down + 1 > Math.floor(this.sc.maxDownShare * world.nodes.length)) return null;
        return { kind, node, downMs: this.within(this.sc.downMs) };
      }
      case 'partition': {
        if (state.partitioned) return null;
        return { kind: 'partition', groups: this.split(world.nodes), forMs: this.within(this.sc.partitionMs) };
      }
    }
  }

  /** A placement near the mid: each side equally likely, so books cross and trade. */
  place(node: SimNode): Op {
    const m = this.sc.market;
    const side: Side = this.rng.random() < 0.5 ? 'buy' : 'sell';
    const price = m.midCents + (this.rng.int(2 * m.ticks + 1) - m.ticks) * m.tickCents;
    return { kind: 'place', node, side, price, amount: (1 + this.rng.int(m.lots)) * m.lotSats };
  }

  /**
   * Two sides: half the time a small minority (one node up to a third) is cut off from
   * the rest, otherwise a random split.
   */
  split(nodes: SimNode[]): SimNode[][] {
    const shuffled = [...nodes];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const cut = this.rng.random() < 0.5 ? 1 + this.rng.int(Math.max(1, Math.floor(nodes.length / 3))) : 1 + this.rng.int(nodes.length - 1);
    const byIndex = (a: SimNode, b: SimNode): number => a.index - b.index;
    return [shuffled.slice(0, cut).sort(byIndex), shuffled.slice(cut).sort(byIndex)];
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)];
  }

  private draw(): OpKind {
    let r = this.rng.random() * this.total;
    for (let i = 0; i < this.kinds.length; i++) if ((r -= this.weights[i]) < 0) return this.kinds[i];
    return this.kinds[this.kinds.length - 1];
  }
}
