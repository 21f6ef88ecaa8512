/**
 * Placing an order across owners, and keeping the book uncrossed.
 *
 * place(): plan against the local book (price-time priority, each leg at the resting
 * order's price), send one accept per leg to its owner, wait for the answers, and rest
 * what was not filled as a new order. If matching stopped at one of our own orders
 * (self-trade prevention), the remainder is cancelled instead of resting, so we never
 * rest an order that crosses our own.
 *
 * Crossing resolution: two resting orders can cross when they were placed at the same
 * moment on different nodes. The owner of the newer one (by ts, then id) takes the
 * older one; the other owner does nothing. So exactly one side acts.
 */
import type { Logger } from '../log/logger';
import { plan } from '../book/matching';
import type { RestingOrder } from '../book/types';
import type { PlaceInput, PlaceResult, Refusal, TradeView } from './api';
import type { OrderLedger, OrderRecord } from './order-ledger';
import type { OwnerDesk } from './owner-desk';
import { REFUSAL } from './owner';
import type { Reservations } from './reservations';
import { TAKER_REFUSAL, type AcceptOutcome, type Taker } from './taker';

export interface PlacementDeps {
  me: string;
  ledger: OrderLedger;
  reservations: Reservations;
  taker: Taker;
  desk: OwnerDesk;
  isStale(node: string): boolean;
  log: Logger;
  /** After a refusal that may not last (RESERVED, no answer...), retry a crossing this much later. */
  retryMs: number;
}

/**
 * Refusals that may not last (the amount is held by another taker; the answer was late
 * or missing): the crossing is retried, up to MAX_RETRIES times per pair. Any other
 * reason — the order is gone, or a reason we do not know — ends it.
 */
const TEMPORARY_REFUSALS: ReadonlySet<string> = new Set([REFUSAL.RESERVED, REFUSAL.DEADLINE, TAKER_REFUSAL.TIMEOUT]);
const MAX_RETRIES = 3;

function older(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

function crosses(mine: OrderRecord, other: { side: string; price: number }): boolean {
  if (mine.side === other.side) return false;
  return mine.side === 'buy' ? mine.price >= other.price : mine.price <= other.price;
}

export class Placement {
  /** Placements and crossing resolutions under way. */
  busy = 0;
  private closed = false;
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly cancelling = new Set<string>();
  /** (our order, their order) pairs whose owner refused for a reason that will not change soon. */
  private readonly gaveUp = new Set<string>();
  /** Refusals so far per (our order, their order) pair. */
  private readonly tries = new Map<string, number>();
  private idle: Array<() => void> = [];
  /** Per order of ours: who waits for its crossing resolution to finish (cancel). */
  private readonly orderIdle = new Map<string, Array<() => void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: PlacementDeps) {}

  async place(input: PlaceInput): Promise<PlaceResult> {
    this.busy++;
    try {
      const p = plan(this.d.ledger.book, { ...input, owner: this.d.me }, {
        available: (o) => this.available(o),
        eligible: (o) => !this.d.isStale(o.owner),
      });
      const outs = await Promise.all(p.legs.map((l) => this.take(l.order, l.amount, null)));
      const fills = outs.map((o) => o.trade).filter((t): t is TradeView => t !== null);
      const refused: Refusal[] = outs
        .filter((o) => o.filled < o.requested)
        .map((o) => ({ orderId: o.orderId, requested: o.requested, reason: o.reason ?? 'REFUSED' }));
      const filled = outs.reduce((s, o) => s + o.filled, 0);
      const remainder = input.amount - filled;
      const result: PlaceResult = { requested: input.amount, filled, rested: 0, order: null, fills, refused };
      if (remainder > 0 && p.selfTrade) {
        result.remainderCancelled = { amount: remainder, reason: 'SELF_TRADE' };
      } else if (remainder > 0 && !this.d.ledger.canRest(input.side, input.price, remainder)) {
        result.remainderCancelled = { amount: remainder, reason: 'LEVEL_FULL' };
      } else if (remainder > 0) {
        const rec = this.d.desk.addOrder(input.side, input.price, remainder);
        result.rested = remainder;
        result.order = this.d.ledger.view(rec, false);
        // A grant that arrives after we gave up waiting fills this resting remainder.
        this.d.taker.attachLate(outs.filter((o) => o.reason === TAKER_REFUSAL.TIMEOUT).map((o) => o.acceptId), rec.id);
        this.resolve(rec);
      }
      return result;
    } finally {
      this.done();
    }
  }

  /** A new order arrived: if one of ours is newer and crosses it, ours takes it. */
  crossingsAgainst(theirs: OrderRecord): void {
    if (theirs.owner === this.d.me) return;
    for (const mine of this.myOpen()) if (crosses(mine, theirs) && older(theirs, mine)) this.resolve(mine);
  }

  /** An owner came back: retry every crossing of ours. */
  resolveAll(): void {
    this.gaveUp.clear();
    this.tries.clear();
    for (const mine of this.myOpen()) this.resolve(mine);
  }

  /** Waits for our takes on behalf of `rec` to finish, then cancels it. */
  async cancel(rec: OrderRecord): Promise<{ ok: true } | { ok: false; code: string }> {
    this.cancelling.add(rec.id);
    try {
      // Only this order's own takes matter (its reservations end with its resolve loop).
      while (this.running.has(rec.id)) {
        await new Promise<void>((r) => this.orderIdle.set(rec.id, [...(this.orderIdle.get(rec.id) ?? []), r]));
      }
      if (rec.status === 'filled') return { ok: false, code: 'ORDER_FILLED' };
      if (rec.status === 'cancelled') return { ok: false, code: 'ORDER_CANCELLED' };
      this.d.desk.cancel(rec);
      return { ok: true };
    } finally {
      this.cancelling.delete(rec.id);
    }
  }

  /** Resolves when no placement or crossing resolution is under way. */
  settled(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private resolve(mine: OrderRecord): void {
    if (this.cancelling.has(mine.id)) return;
    if (this.running.has(mine.id)) {
      this.again.add(mine.id);
      return;
    }
    this.running.add(mine.id);
    this.busy++;
    void this.resolveLoop(mine).finally(() => {
      this.running.delete(mine.id);
      for (const r of this.orderIdle.get(mine.id) ?? []) r();
      this.orderIdle.delete(mine.id);
      this.done();
    });
  }

  private async resolveLoop(mine: OrderRecord): Promise<void> {
    let progress = true;
    while (progress || this.again.has(mine.id)) {
      this.again.delete(mine.id);
      if (mine.status !== 'open' || this.cancelling.has(mine.id)) return;
      progress = await this.resolveStep(mine);
    }
  }

  private async resolveStep(mine: OrderRecord): Promise<boolean> {
    const free = mine.amount - mine.filled - this.d.reservations.takingFor(mine.id);
    if (free <= 0) return false;
    const p = plan(this.d.ledger.book, { side: mine.side, price: mine.price, amount: free, owner: this.d.me }, {
      available: (o) => this.available(o),
      eligible: (o) => older(o, mine) && !this.d.isStale(o.owner) && !this.gaveUp.has(`${mine.id}/${o.id}`),
    });
    if (p.legs.length === 0) return false;
    this.d.log.info('order.crossing', { order: mine.id, legs: p.legs.length, amount: p.filled });
    const outs = await Promise.all(p.legs.map((l) => this.take(l.order, l.amount, mine.id)));
    for (const o of outs) {
      if (o.filled > 0 || o.reason === undefined) continue;
      const pair = `${mine.id}/${o.orderId}`;
      const tries = (this.tries.get(pair) ?? 0) + 1;
      this.tries.set(pair, tries);
      if (TEMPORARY_REFUSALS.has(o.reason) && tries <= MAX_RETRIES) this.retryLater(mine);
      else this.gaveUp.add(pair);
    }
    return outs.some((o) => o.filled > 0);
  }

  /** A refusal that may not last (held by another taker, no answer): try again later. */
  private retryLater(mine: OrderRecord): void {
    if (this.closed || this.retries.has(mine.id)) return;
    // A scheduled retry is work in flight: quiescence waits for it.
    this.busy++;
    const t = setTimeout(() => {
      this.retries.delete(mine.id);
      if (mine.status === 'open') this.resolve(mine);
      this.done();
    }, this.d.retryMs);
    t.unref();
    this.retries.set(mine.id, t);
  }

  /** Stops retry timers (the node is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.retries.values()) {
      clearTimeout(t);
      this.done();
    }
    this.retries.clear();
  }

  private take(order: RestingOrder, amount: number, forOrder: string | null): Promise<AcceptOutcome> {
    this.d.log.info('accept.sent', { order: order.id, owner: order.owner, amount, price: order.price, ...(forOrder ? { for: forOrder } : {}) });
    return this.d.taker.send(order.id, amount, forOrder).then((out) => {
      this.d.log.info('accept.result', { order: order.id, accept: out.acceptId, filled: out.filled, reason: out.reason });
      return out;
    });
  }

  private available(o: RestingOrder): number {
    return o.amount - this.d.reservations.reservedOn(o.id);
  }

  private myOpen(): OrderRecord[] {
    return [...this.d.ledger.all()].filter((r) => r.owner === this.d.me && r.status === 'open' && r.filled < r.amount);
  }

  private done(): void {
    this.busy--;
    if (this.busy === 0) for (const f of this.idle.splice(0)) f();
  }
}
