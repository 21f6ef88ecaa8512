/**
 * What the network told its callers: every result an operation returned while its node
 * was still up to say it. These are the promises the invariants hold the network to —
 * an acknowledged resting order, trade or cancel must be reflected on every node and
 * must survive its node's restart. A reply a node produced while being killed is not
 * here: a dead process answers nobody.
 *
 * Pending legs (PlaceResult.pending, AcceptResult.pending) are outcomes the node said it
 * did not know yet; they are kept apart and are never counted as trades or as misses.
 */
import type { PendingTake, TradeView } from '../exchange/api';

export interface AckedOrder {
  node: number;
  id: string;
  /** Virtual time of the reply. */
  at: number;
}

export interface AckedTrade {
  node: number;
  trade: TradeView;
  at: number;
}

export interface AckedPending {
  node: number;
  take: PendingTake;
  at: number;
}

export class Acknowledged {
  readonly orders: AckedOrder[] = [];
  readonly trades: AckedTrade[] = [];
  readonly cancels: AckedOrder[] = [];
  readonly pending: AckedPending[] = [];

  order(node: number, id: string, at: number): void {
    this.orders.push({ node, id, at });
  }

  trade(node: number, trade: TradeView, at: number): void {
    this.trades.push({ node, trade, at });
  }

  cancel(node: number, id: string, at: number): void {
    this.cancels.push({ node, id, at });
  }

  unknown(node: number, take: PendingTake, at: number): void {
    this.pending.push({ node, take, at });
  }

  /** Everything acknowledged by one node (what its restart must not lose). */
  of(node: number): { orders: AckedOrder[]; trades: AckedTrade[]; cancels: AckedOrder[] } {
    return {
      orders: this.orders.filter((o) => o.node === node),
      trades: this.trades.filter((t) => t.node === node),
      cancels: this.cancels.filter((c) => c.node === node),
    };
  }
}
