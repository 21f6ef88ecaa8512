/**
 * The in-memory limit order book: bids and asks in price-time priority. Pure: no I/O,
 * no clock (the order's own `ts` decides time priority), no randomness.
 *
 * Orders are stored by integer handle (see OrderStore); what the book hands out is
 * always a fresh RestingOrder copy, so a caller can keep or mutate it freely. The book
 * does not check that it is uncrossed: orders from other nodes may cross when they
 * were placed at the same time, and the distributed lifecycle resolves that.
 */
import { BookSide } from './book-side';
import { BookError } from './errors';
import { hashId, IdIndex } from './id-index';
import { NIL, OrderStore } from './order-store';
import type { DepthLevel, RestingOrder, Side } from './types';
import { NO_PRICE } from './price-index';
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from './units';

export class OrderBook {
  /** @internal Columns of every resting order; read by the matcher. */
  readonly store = new OrderStore();
  /** @internal */
  readonly bids: BookSide;
  /** @internal */
  readonly asks: BookSide;
  private readonly byId: IdIndex;

  /**
   * `laneSeed` (optional, any int32): mixed into the hash that decides which orders get
   * express lanes (LevelLanes). The order of the book is the same with any seed; a
   * node-secret seed stops anyone from grinding order ids that all get no lane, which
   * would make late inserts at one price linear again. 0 (default): the plain id hash.
   */
  constructor(opts: { laneSeed?: number } = {}) {
    this.byId = new IdIndex(this.store);
    this.bids = new BookSide(this.store, true, opts.laneSeed ?? 0);
    this.asks = new BookSide(this.store, false, opts.laneSeed ?? 0);
  }

  get size(): number {
    return this.store.size;
  }

  /** Rests an order. Throws BookError DUPLICATE_ID or INVALID_ORDER. O(1), O(log n) for a late order. */
  add(order: RestingOrder): void {
    checkOrder(order);
    const hash = hashId(order.id);
    if (this.byId.getHashed(order.id, hash) !== NIL) throw new BookError('DUPLICATE_ID', `order ${order.id} is already in the book`);
    const side = order.side === 'buy' ? this.bids : this.asks;
    const h = this.store.alloc(order.id, order.owner, order.price, order.amount, order.ts);
    this.byId.setHashed(hash, h);
    side.insert(h, hash);
  }

  /** Removes an order; returns it as it was, or undefined for an unknown (or already gone) id. */
  cancel(id: string): RestingOrder | undefined {
    const h = this.byId.get(id);
    if (h === NIL) return undefined;
    const order = this.snapshot(h);
    this.remove(h);
    return order;
  }

  /**
   * Takes `filled` sats off an order; returns what remains, removing the order at 0.
   * Throws UNKNOWN_ORDER, OVERFILL (filled > remaining) or INVALID_ORDER (not a
   * non-negative safe integer).
   */
  reduce(id: string, filled: number): number {
    const h = this.byId.get(id);
    if (h === NIL) throw new BookError('UNKNOWN_ORDER', `order ${id} is not in the book`);
    if (!Number.isSafeInteger(filled) || filled < 0) {
      throw new BookError('INVALID_ORDER', `filled must be a non-negative integer of sats, got ${filled}`);
    }
    const remaining = this.store.amount(h);
    if (filled > remaining) throw new BookError('OVERFILL', `order ${id} has ${remaining} sats left, cannot fill ${filled}`);
    return this.reduceHandle(h, filled);
  }

  get(id: string): RestingOrder | undefined {
    const h = this.byId.get(id);
    return h === NIL ? undefined : this.snapshot(h);
  }

  has(id: string): boolean {
    return this.byId.get(id) !== NIL;
  }

  bestBid(): RestingOrder | undefined {
    return this.bestOf(this.bids);
  }

  bestAsk(): RestingOrder | undefined {
    return this.bestOf(this.asks);
  }

  /** Aggregated price levels of one side, best first (highest bid, lowest ask). */
  depth(side: Side, maxLevels = Infinity): DepthLevel[] {
    return (side === 'buy' ? this.bids : this.asks).depth(maxLevels);
  }

  /** Orders in priority order: one side best first, or all bids then all asks. */
  orders(side?: Side): RestingOrder[] {
    const handles =
      side === 'buy' ? this.bids.handles() : side === 'sell' ? this.asks.handles() : [...this.bids.handles(), ...this.asks.handles()];
    return handles.map((h) => this.snapshot(h));
  }

  /** @internal The side an incoming order of `side` trades against. */
  opposite(side: Side): BookSide {
    return side === 'buy' ? this.asks : this.bids;
  }

  /** @internal Fresh copy of the order at handle `h`. */
  snapshot(h: number): RestingOrder {
    const s = this.store;
    return {
      id: s.id(h),
      owner: s.owner(h),
      side: this.isBid(h) ? 'buy' : 'sell',
      price: s.price(h),
      amount: s.amount(h),
      ts: s.ts(h),
    };
  }

  /** @internal reduce() by handle, for the matcher, which has checked `filled` already. */
  reduceHandle(h: number, filled: number): number {
    const s = this.store;
    const remaining = s.amount(h) - filled;
    if (remaining === 0) {
      this.remove(h);
      return 0;
    }
    (this.isBid(h) ? this.bids : this.asks).reduced(h, filled);
    s.setAmount(h, remaining);
    return remaining;
  }

  private remove(h: number): void {
    const s = this.store;
    (this.isBid(h) ? this.bids : this.asks).unlink(h);
    this.byId.delete(s.id(h), h);
    s.free(h);
  }

  /** BookSide puts the side in the low bit of the order's level reference: 0 = bid. */
  private isBid(h: number): boolean {
    return (this.store.level(h) & 1) === 0;
  }

  private bestOf(side: BookSide): RestingOrder | undefined {
    const p = side.best();
    if (p === NO_PRICE) return undefined;
    const h = side.headAt(p);
    return h === NIL ? undefined : this.snapshot(h);
  }
}

/** The book stores only what it can order exactly: integer money in range, finite ts. */
function checkOrder(o: RestingOrder): void {
  const bad = (what: string): never => invalid(o, what);
  if (typeof o.id !== 'string' || o.id === '') bad('id must be a non-empty string');
  if (typeof o.owner !== 'string') bad('owner must be a string');
  if (o.side !== 'buy' && o.side !== 'sell') bad(`side must be "buy" or "sell", got ${String(o.side)}`);
  if (!Number.isInteger(o.price) || o.price <= 0 || o.price > MAX_PRICE_CENTS) {
    bad(`price must be an integer of cents in 1..${MAX_PRICE_CENTS}, got ${o.price}`);
  }
  if (!Number.isInteger(o.amount) || o.amount <= 0 || o.amount > MAX_AMOUNT_SATS) {
    bad(`amount must be an integer of sats in 1..${MAX_AMOUNT_SATS}, got ${o.amount}`);
  }
  if (!Number.isFinite(o.ts)) bad(`ts must be a finite number, got ${o.ts}`);
}

function invalid(o: RestingOrder, what: string): never {
  throw new BookError('INVALID_ORDER', `order ${String(o.id)}: ${what}`);
}
