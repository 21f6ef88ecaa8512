/**
 * One side of the book (bids or asks): price levels, each a doubly linked list of
 * order handles in priority order (ts ascending, then id ascending).
 *
 * Levels are columns indexed by a level handle, like orders. A Map finds the level of
 * a price; a PriceIndex keeps the prices sorted so the best one and the next-worse
 * one are cheap to find.
 */
import { NIL, type OrderStore } from './order-store';
import { NO_PRICE, PriceIndex } from './price-index';
import { PriceMap } from './price-map';
import type { DepthLevel } from './types';

const INITIAL_LEVELS = 256;

export class BookSide {
  private lvPrice = new Int32Array(INITIAL_LEVELS);
  private lvHead = new Int32Array(INITIAL_LEVELS);
  private lvTail = new Int32Array(INITIAL_LEVELS);
  private lvCount = new Int32Array(INITIAL_LEVELS);
  /** Level totals stay safe integers (add() refuses otherwise), so doubles are exact. */
  private lvAmount = new Float64Array(INITIAL_LEVELS);
  private lvTop = 0;
  private lvFree = NIL;
  private readonly byPrice = new PriceMap();
  private readonly prices = new PriceIndex();

  /** The low bit of every level reference this side hands the store: 0 bids, 1 asks. */
  private readonly sideBit: number;

  /** `isBid`: best is the highest price; otherwise the lowest. */
  constructor(
    private readonly store: OrderStore,
    readonly isBid: boolean,
  ) {
    this.sideBit = isBid ? 0 : 1;
  }

  get levels(): number {
    return this.prices.size;
  }

  /** Best price, or NO_PRICE when the side is empty. */
  best(): number {
    return this.isBid ? this.prices.max() : this.prices.min();
  }

  /** The next price after `price` in priority order (lower for bids), or NO_PRICE. */
  worse(price: number): number {
    return this.isBid ? this.prices.below(price) : this.prices.above(price);
  }

  /** First order handle at `price`, or NIL. */
  headAt(price: number): number {
    const lv = this.byPrice.get(price);
    return lv === NIL ? NIL : this.lvHead[lv];
  }

  /** Whether `amount` more sats at `price` keep that level's total a safe integer. */
  canHold(price: number, amount: number): boolean {
    const lv = this.byPrice.get(price);
    return lv === NIL || this.lvAmount[lv] + amount <= Number.MAX_SAFE_INTEGER;
  }

  /** Links order `h` (already in the store) into its level at its priority position. */
  insert(h: number): void {
    const s = this.store;
    const price = s.price(h);
    let lv = this.byPrice.get(price);
    if (lv === NIL) lv = this.newLevel(price);
    // The side rides in the low bit, so the book knows an order's side from its level.
    s.setLevel(h, lv * 2 + this.sideBit);
    this.lvCount[lv]++;
    this.lvAmount[lv] += s.amount(h);
    // Usually the newest order goes last. One from another node can arrive late with
    // an earlier ts: walk back from the tail to its place, so every node agrees.
    let after = this.lvTail[lv];
    while (after !== NIL && precedes(s, h, after)) after = s.prev(after);
    s.setPrev(h, after);
    let next: number;
    if (after === NIL) {
      next = this.lvHead[lv];
      this.lvHead[lv] = h;
    } else {
      next = s.next(after);
      s.setNext(after, h);
    }
    s.setNext(h, next);
    if (next === NIL) this.lvTail[lv] = h;
    else s.setPrev(next, h);
  }

  /** Lowers the level total after order `h` lost `by` sats (the order stays linked). */
  reduced(h: number, by: number): void {
    this.lvAmount[this.store.level(h) >> 1] -= by;
  }

  /** Unlinks order `h` from its level; drops the level when it empties. O(1) plus the level drop. */
  unlink(h: number): void {
    const s = this.store;
    const lv = s.level(h) >> 1;
    const prev = s.prev(h);
    const next = s.next(h);
    if (prev === NIL) this.lvHead[lv] = next;
    else s.setNext(prev, next);
    if (next === NIL) this.lvTail[lv] = prev;
    else s.setPrev(next, prev);
    this.lvAmount[lv] -= s.amount(h);
    if (--this.lvCount[lv] === 0) this.dropLevel(lv);
  }

  /** Aggregated levels, best first. */
  depth(maxLevels: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (let p = this.best(); p !== NO_PRICE && out.length < maxLevels; p = this.worse(p)) {
      const lv = this.byPrice.get(p);
      out.push({ price: p, amount: this.lvAmount[lv], orders: this.lvCount[lv] });
    }
    return out;
  }

  /** Every order handle, in priority order. */
  handles(): number[] {
    const out: number[] = [];
    for (let p = this.best(); p !== NO_PRICE; p = this.worse(p)) {
      for (let h = this.headAt(p); h !== NIL; h = this.store.next(h)) out.push(h);
    }
    return out;
  }

  private newLevel(price: number): number {
    let lv = this.lvFree;
    if (lv !== NIL) {
      this.lvFree = this.lvHead[lv];
    } else {
      if (this.lvTop === this.lvPrice.length) this.growLevels();
      lv = this.lvTop++;
    }
    this.lvPrice[lv] = price;
    this.lvHead[lv] = NIL;
    this.lvTail[lv] = NIL;
    this.lvCount[lv] = 0;
    this.lvAmount[lv] = 0;
    this.byPrice.set(price, lv);
    this.prices.insert(price);
    return lv;
  }

  private dropLevel(lv: number): void {
    const price = this.lvPrice[lv];
    this.byPrice.delete(price);
    this.prices.delete(price);
    this.lvHead[lv] = this.lvFree;
    this.lvFree = lv;
  }

  private growLevels(): void {
    const n = this.lvPrice.length * 2;
    this.lvPrice = grow(this.lvPrice, new Int32Array(n));
    this.lvHead = grow(this.lvHead, new Int32Array(n));
    this.lvTail = grow(this.lvTail, new Int32Array(n));
    this.lvCount = grow(this.lvCount, new Int32Array(n));
    this.lvAmount = grow(this.lvAmount, new Float64Array(n));
  }
}

/** Whether order a has priority over order b at the same price: earlier ts, then lower id. */
function precedes(s: OrderStore, a: number, b: number): boolean {
  const ta = s.ts(a);
  const tb = s.ts(b);
  return ta < tb || (ta === tb && s.id(a) < s.id(b));
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
