/**
 * The one state object every order-event handler works on: what this node knows of
 * every order (the ledger), who has been heard from (liveness), and what our own
 * accepts in flight hold back (reservations). The "free amount" rules live here, once.
 */
import type { Clock } from '../clock/clock';
import { Disputes } from './disputes';
import { Liveness } from './liveness';
import { OrderLedger, type Contradiction, type OrderRecord } from './order-ledger';
import { Reservations } from './reservations';

/**
 * The one "free amount" rule: what is left of an order (amount minus filled) minus what
 * is held back from it. Everything else asks this.
 */
export function freeOf(order: { amount: number; filled: number }, held: number): number {
  return order.amount - order.filled - held;
}

export interface StateTuning {
  staleAfterMs: number;
  retainMs: number;
}

export class ExchangeState {
  readonly ledger: OrderLedger;
  readonly liveness: Liveness;
  readonly reservations = new Reservations();
  readonly disputes = new Disputes();
  /** Told of each contradiction the ledger finds between two owner updates (wired by the exchange). */
  onContradiction: (rec: OrderRecord, pair: Contradiction) => void = () => {};

  constructor(
    /** Our node id. */
    readonly me: string,
    readonly clock: Clock,
    tuning: StateTuning,
  ) {
    this.ledger = new OrderLedger(me, () => clock.now(), tuning.retainMs, clock.randomBytes(4).readInt32LE(0), (rec, pair) =>
      this.onContradiction(rec, pair),
    );
    this.liveness = new Liveness(tuning.staleAfterMs);
  }

  /**
   * Sats of another owner's order we may still ask for: what is left of it minus our
   * own asks on it that are unanswered (or in a late hold).
   */
  freeToTake(order: { id: string; amount: number; filled: number }): number {
    return freeOf(order, this.reservations.reservedOn(order.id));
  }

  /**
   * Sats of an order of ours free to grant to a taker or to take with: what is left
   * minus what it is taking from an older crossing order right now.
   */
  freeOfMine(rec: OrderRecord): number {
    return freeOf(rec, this.reservations.takingFor(rec.id));
  }

  /** Left out of matching: stale, or proven to equivocate. */
  unmatchable(node: string): boolean {
    return this.isStale(node) || this.disputes.isEquivocator(node);
  }

  /** An owner not heard from lately: its orders are shown as stale and never matched. */
  isStale(node: string): boolean {
    return node !== this.me && this.liveness.isStale(node, this.clock.now());
  }
}
