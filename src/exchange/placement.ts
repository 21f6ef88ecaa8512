/**
 * Placing an order across owners: plan against the local book (price-time priority,
 * each leg at the resting order's price), send one accept per leg to its owner, and
 * rest what was not filled as a new order.
 *
 * place() returns within one accept timeout. A leg whose owner has not answered by
 * then is reported `pending`: its amount is neither filled nor rested until the outcome
 * is known — a late grant makes it a trade; a refusal, or no answer by the take's end,
 * makes it rest then as a new order. So an unanswered leg never makes us buy (or sell)
 * more than asked, and never freezes a resting order of ours against other takers.
 *
 * If matching stopped at one of our own orders (self-trade prevention), or an order of
 * ours that rested while this placement waited now crosses it, the remainder is
 * cancelled instead of resting, so we never rest an order that crosses our own.
 */
import type { Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import { plan } from '../book/matching';
import type { RestingOrder } from '../book/types';
import type { PendingTake, PlaceInput, PlaceResult, Refusal, TradeView } from './api';
import type { Crossings } from './crossings';
import type { OwnerDesk } from './owner-desk';
import type { ExchangeState } from './state';
import type { Take, Takes } from './take';
import type { OrderRecord } from './order-ledger';
import { OwnBudgetSpent } from './pipeline';
import { isDust } from './kinds/accept';

export interface PlacementDeps {
  st: ExchangeState;
  takes: Takes;
  desk: OwnerDesk;
  crossings: Crossings;
  clock: Clock;
  log: Logger;
  acceptTimeoutMs: number;
  /** Is this owner left out of matching (stale, or cooling down after not answering)? */
  excluded(owner: string): boolean;
}

export class Placement {
  /** Placements under way. */
  busy = 0;
  private idle: Array<() => void> = [];

  constructor(private readonly d: PlacementDeps) {}

  async place(input: PlaceInput): Promise<PlaceResult> {
    this.busy++;
    try {
      const st = this.d.st;
      const p = plan(st.ledger.book, { ...input, owner: st.me }, {
        available: (o) => this.available(o),
        eligible: (o) => !this.d.excluded(o.owner),
      });
      // Legs go out while our accept budget lasts; what is not asked for rests (and a
      // crossing it leaves is resolved once the budget refills).
      const takes: Take[] = [];
      // A dust leg (under the minimum take of an order with more left) is not asked for:
      // its owner would not answer it; that amount rests instead.
      for (const l of p.legs.filter((x) => !isDust(x.amount, x.order.amount))) {
        const t = this.take(l.order, l.amount);
        if (!t) break;
        takes.push(t);
      }
      // What a leg unanswered in time does not get granted rests later, once that is known.
      for (const t of takes) t.onUnfilled = (amount) => this.restLate(input, amount, p.selfTrade);
      const outs = await Promise.all(takes.map((t) => t.within(this.d.acceptTimeoutMs)));
      const fills: TradeView[] = [];
      const refused: Refusal[] = [];
      const pending: PendingTake[] = [];
      let filled = 0;
      outs.forEach((o, i) => {
        if (o === null || o.pending) {
          pending.push(takes[i].pending());
          return;
        }
        filled += o.filled;
        if (o.trade) fills.push(o.trade);
        if (o.filled < o.requested) refused.push({ orderId: o.orderId, requested: o.requested, reason: o.reason ?? 'REFUSED' });
      });
      const inLimbo = pending.reduce((s, x) => s + x.requested, 0);
      const remainder = input.amount - filled - inLimbo;
      const result: PlaceResult = { requested: input.amount, filled, rested: 0, order: null, fills, refused, pending };
      // Another placement of ours may have rested meanwhile: the plan's view is old.
      if (remainder > 0 && (p.selfTrade || this.crossesMine(input))) {
        result.remainderCancelled = { amount: remainder, reason: 'SELF_TRADE' };
      } else if (remainder > 0) {
        const rec = this.rest(input, remainder);
        if (rec) {
          result.rested = remainder;
          result.order = st.ledger.view(rec, false);
          this.d.crossings.resolve(rec);
        } else {
          result.remainderCancelled = { amount: remainder, reason: 'RATE_LIMITED' };
        }
      }
      return result;
    } finally {
      this.done();
    }
  }

  /** Resolves when no placement is under way. */
  settled(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /** The part of a placement whose leg ended without a grant: it rests now, as a new order. */
  private restLate(input: PlaceInput, amount: number, selfTrade: boolean): void {
    if (amount <= 0) return;
    if (selfTrade || this.crossesMine(input)) {
      this.d.log.info('order.not-rested', { side: input.side, price: input.price, amount, reason: 'SELF_TRADE' });
      return;
    }
    const rec = this.rest(input, amount);
    if (!rec) {
      this.d.log.warn('order.not-rested', { side: input.side, price: input.price, amount, reason: 'RATE_LIMITED' });
      return;
    }
    this.d.log.info('order.rested-late', { order: rec.id, side: input.side, price: input.price, amount });
    this.d.crossings.resolve(rec);
  }

  /**
   * Would this rest across one of our own open orders? Then matching against the book
   * stops at ours, so no crossing resolution could take the other owners' orders behind
   * it and the book would stay crossed.
   */
  private crossesMine(input: PlaceInput): boolean {
    const { side, price } = input;
    return this.d.st.ledger.mineOpen().some((o) => o.side !== side && (side === 'buy' ? price >= o.price : price <= o.price));
  }

  /** A new resting order of ours, or null when our own budget for new orders is spent. */
  private rest(input: PlaceInput, amount: number): OrderRecord | null {
    try {
      return this.d.desk.addOrder(input.side, input.price, amount);
    } catch (err) {
      if (err instanceof OwnBudgetSpent) return null;
      throw err;
    }
  }

  /** Sends one leg's accept, or null when our own accept budget is spent. */
  private take(order: RestingOrder, amount: number): Take | null {
    let t: Take;
    try {
      t = this.d.takes.start(order.id, amount, 'place');
    } catch (err) {
      if (err instanceof OwnBudgetSpent) return null;
      throw err;
    }
    this.d.log.info('accept.sent', { order: order.id, owner: order.owner, amount, price: order.price, accept: t.acceptId });
    void t.result.then((out) => this.d.log.info('accept.result', { order: order.id, accept: out.acceptId, filled: out.filled, reason: out.reason }));
    return t;
  }

  private available(o: RestingOrder): number {
    return this.d.st.freeToTake({ id: o.id, amount: o.amount, filled: 0 });
  }

  private done(): void {
    this.busy--;
    if (this.busy === 0) for (const f of this.idle.splice(0)) f();
  }
}
