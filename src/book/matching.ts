/**
 * Price-time priority matching against an OrderBook.
 *
 * - Better price first; at one price, earlier ts first, then lower id (the book's order).
 * - Every leg trades at the resting order's price.
 * - A limit order takes levels while they cross its price; a market order (price null)
 *   takes whatever is there up to its amount and never rests.
 * - Self-trade prevention, "expire taker": when the next order that would match belongs
 *   to the incoming order's owner, matching stops there. Legs before it stand; the
 *   remainder is dropped (it does not rest, since resting would cross the owner's own
 *   order) and the result says `selfTrade: true`. The owner's resting order is untouched.
 *
 * - Orders passed over (eligible() false, available() <= 0) stay in the book, so with
 *   those options a limit remainder may rest at a price that crosses them; the
 *   distributed lifecycle resolves such crosses. Without options the book stays uncrossed.
 *
 * `plan` is read-only: the distributed lifecycle sends its legs as accepts to the
 * owners. `match` runs the very same walk and then applies it, so a plan and the match
 * that follows it on the same book are identical by construction.
 */
import { BookError } from './errors';
import { NIL } from './order-store';
import type { OrderBook } from './order-book';
import { NO_PRICE } from './price-index';
import type { RestingOrder, Side } from './types';
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from './units';

export interface Incoming {
  side: Side;
  /** Limit price in cents per BTC; null = market order. */
  price: number | null;
  /** Sats wanted. */
  amount: number;
  owner: string;
  /** For match(): id the limit remainder rests under. */
  id?: string;
  /** For match(): ts the limit remainder rests with. */
  ts?: number;
}

/** Take `amount` sats of `order` at `price` (always order.price). */
export interface Leg {
  /** The resting order as it was before this leg. */
  order: RestingOrder;
  amount: number;
  price: number;
}

export interface PlanOptions {
  /**
   * Sats of a resting order this taker may take (e.g. minus what others reserved).
   * Capped at the order's amount; 0 or less passes the order over. Must return an integer.
   */
  available?: (order: RestingOrder) => number;
  /** False passes the order over (e.g. its owner is stale). */
  eligible?: (order: RestingOrder) => boolean;
}

export interface PlanResult {
  legs: Leg[];
  filled: number;
  /** amount - filled. */
  remaining: number;
  /** Matching stopped at an order of the same owner; the remainder must not rest. */
  selfTrade: boolean;
}

export interface MatchResult {
  legs: Leg[];
  filled: number;
  /** The limit remainder now resting, or null (filled, market, or self-trade). */
  rested: RestingOrder | null;
  selfTrade: boolean;
}

/** The legs `incoming` would take, in priority order, without changing the book. */
export function plan(book: OrderBook, incoming: Incoming, opts?: PlanOptions): PlanResult {
  checkIncoming(incoming);
  const legs: Leg[] = [];
  const walk = walkBook(book, incoming, opts, legs, undefined);
  return { legs, filled: incoming.amount - walk.remaining, remaining: walk.remaining, selfTrade: walk.selfTrade };
}

/** Plans, applies the legs, and rests a limit remainder (unless self-trade stopped it). */
export function match(book: OrderBook, incoming: Incoming, opts?: PlanOptions): MatchResult {
  checkIncoming(incoming);
  const limit = incoming.price !== null;
  // Checked before any fill, so a refused match leaves the book untouched.
  if (limit && (typeof incoming.id !== 'string' || incoming.id === '' || !Number.isFinite(incoming.ts))) {
    throw new BookError('MISSING_ID', 'match() of a limit order needs the id and ts its remainder would rest under');
  }
  if (limit && book.has(incoming.id!)) throw new BookError('DUPLICATE_ID', `order ${incoming.id} is already in the book`);
  const legs: Leg[] = [];
  const handles: number[] = [];
  const walk = walkBook(book, incoming, opts, legs, handles);
  for (let i = 0; i < handles.length; i++) book.reduceHandle(handles[i], legs[i].amount);
  let rested: RestingOrder | null = null;
  if (limit && walk.remaining > 0 && !walk.selfTrade) {
    rested = {
      id: incoming.id!,
      owner: incoming.owner,
      side: incoming.side,
      price: incoming.price!,
      amount: walk.remaining,
      ts: incoming.ts!,
    };
    // add() copies the fields into its store and keeps no reference, so handing the
    // same object back to the caller is safe.
    book.add(rested);
  }
  return { legs, filled: incoming.amount - walk.remaining, rested, selfTrade: walk.selfTrade };
}

interface Walk {
  remaining: number;
  selfTrade: boolean;
}

/** The one matching walk. Pushes legs (and their order handles when asked); reads only. */
function walkBook(book: OrderBook, inc: Incoming, opts: PlanOptions | undefined, legs: Leg[], handles: number[] | undefined): Walk {
  const side = book.opposite(inc.side);
  const s = book.store;
  const isBuy = inc.side === 'buy';
  const limit = inc.price;
  const available = opts?.available;
  const eligible = opts?.eligible;
  let remaining = inc.amount;
  for (let price = side.best(); remaining > 0 && price !== NO_PRICE; price = side.worse(price)) {
    if (limit !== null && (isBuy ? price > limit : price < limit)) break;
    for (let h = side.headAt(price); h !== NIL && remaining > 0; h = s.next(h)) {
      let take = s.amount(h);
      let order: RestingOrder | undefined;
      if (eligible !== undefined || available !== undefined) {
        order = book.snapshot(h);
        if (eligible !== undefined && !eligible(order)) continue;
        if (available !== undefined) {
          const free = available(order);
          if (!Number.isSafeInteger(free)) throw new BookError('INVALID_ORDER', `available() must return an integer of sats, got ${free}`);
          if (free <= 0) continue;
          if (free < take) take = free;
        }
      }
      if (s.owner(h) === inc.owner) return { remaining, selfTrade: true };
      if (remaining < take) take = remaining;
      legs.push({ order: order ?? book.snapshot(h), amount: take, price });
      if (handles !== undefined) handles.push(h);
      remaining -= take;
    }
  }
  return { remaining, selfTrade: false };
}

function checkIncoming(inc: Incoming): void {
  if (inc.side !== 'buy' && inc.side !== 'sell') {
    throw new BookError('INVALID_ORDER', `side must be "buy" or "sell", got ${String(inc.side)}`);
  }
  if (!Number.isInteger(inc.amount) || inc.amount <= 0 || inc.amount > MAX_AMOUNT_SATS) {
    throw new BookError('INVALID_ORDER', `amount must be an integer of sats in 1..${MAX_AMOUNT_SATS}, got ${inc.amount}`);
  }
  if (inc.price !== null && (!Number.isInteger(inc.price) || inc.price <= 0 || inc.price > MAX_PRICE_CENTS)) {
    throw new BookError('INVALID_ORDER', `price must be null or an integer of cents in 1..${MAX_PRICE_CENTS}, got ${inc.price}`);
  }
  if (typeof inc.owner !== 'string') throw new BookError('INVALID_ORDER', 'owner must be a string');
}
