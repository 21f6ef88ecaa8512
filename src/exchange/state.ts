/**
 * The one state object every order-event handler works on: what this node knows of
 * every order (the ledger), who has been heard from (liveness), and what our own
 * accepts in flight hold back (reservations). The "free amount" rules live here, once.
 */
import type { Clock } from '../clock/clock';
import { isCurrent, MAX_OPEN_ORDERS, Vouches } from './currency';
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
  /** Open orders kept per owner (default MAX_OPEN_ORDERS). */
  maxOpenOrders?: number;
}

export class ExchangeState {
  readonly ledger: OrderLedger;
  readonly liveness: Liveness;
  readonly reservations = new Reservations();
  readonly disputes = new Disputes();
  /** Each owner's latest refresh: which of its orders it vouches for now. */
  readonly vouches = new Vouches();
  /** Told of each contradiction the ledger finds between two owner updates (wired by the exchange). */
  onContradiction: (rec: OrderRecord, pair: Contradiction) => void = () => {};

  constructor(
    /** Our node id. */
    readonly me: string,
    readonly clock: Clock,
    tuning: StateTuning,
  ) {
    this.ledger = new OrderLedger(
      me,
      () => clock.now(),
      tuning.retainMs,
      clock.randomBytes(4).readInt32LE(0),
      (rec, pair) => this.onContradiction(rec, pair),
      tuning.maxOpenOrders ?? MAX_OPEN_ORDERS,
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

  /** Has the order's owner signed something about it lately (its add, an update, a refresh listing it)? */
  isCurrent(rec: OrderRecord): boolean {
    const vouched = this.vouches.vouchedAt(rec.owner, rec.id) ?? 0;
    return isCurrent(rec.ts, Math.max(rec.signedAt, vouched), this.clock.now());
  }

  /** Does `owner`'s latest refresh vouch for order `orderId` now? */
  vouchedNow(owner: string, orderId: string, ts: number): boolean {
    const at = this.vouches.vouchedAt(owner, orderId);
    return at !== null && isCurrent(ts, at, this.clock.now());
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
