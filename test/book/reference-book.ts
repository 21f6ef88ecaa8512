/**
 * A deliberately naive order book for the property tests: an array, sorted on every
 * match. Obviously right and slow; the real engine must agree with it op for op.
 */
import type { Incoming, PlanOptions } from '../../src/book/matching';
import type { RestingOrder } from '../../src/book/types';

export interface RefLeg {
  id: string;
  amount: number;
  price: number;
}

export class ReferenceBook {
  orders: RestingOrder[] = [];

  add(o: RestingOrder): void {
    this.orders.push({ ...o });
  }

  cancel(id: string): RestingOrder | undefined {
    const i = this.orders.findIndex((o) => o.id === id);
    return i < 0 ? undefined : this.orders.splice(i, 1)[0];
  }

  /** Priority order of one side: best price, then ts, then id. */
  sorted(side: 'buy' | 'sell'): RestingOrder[] {
    return this.orders
      .filter((o) => o.side === side)
      .sort((a, b) => (a.price !== b.price ? (side === 'buy' ? b.price - a.price : a.price - b.price) : a.ts !== b.ts ? a.ts - b.ts : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  match(inc: Incoming, opts: PlanOptions = {}): { legs: RefLeg[]; selfTrade: boolean; rested: number } {
    const legs: RefLeg[] = [];
    let remaining = inc.amount;
    let selfTrade = false;
    for (const o of this.sorted(inc.side === 'buy' ? 'sell' : 'buy')) {
      if (remaining === 0) break;
      if (inc.price !== null && (inc.side === 'buy' ? o.price > inc.price : o.price < inc.price)) break;
      if (opts.eligible && !opts.eligible({ ...o })) continue;
      const free = opts.available ? Math.min(o.amount, opts.available({ ...o })) : o.amount;
      if (free <= 0) continue;
      if (o.owner === inc.owner) {
        selfTrade = true;
        break;
      }
      const take = Math.min(free, remaining);
      legs.push({ id: o.id, amount: take, price: o.price });
      remaining -= take;
    }
    for (const l of legs) {
      const o = this.orders.find((x) => x.id === l.id)!;
      o.amount -= l.amount;
    }
    this.orders = this.orders.filter((o) => o.amount > 0);
    let rested = 0;
    if (inc.price !== null && remaining > 0 && !selfTrade) {
      this.add({ id: inc.id!, owner: inc.owner, side: inc.side, price: inc.price, amount: remaining, ts: inc.ts! });
      rested = remaining;
    }
    return { legs, selfTrade, rested };
  }
}
