/**
 * One side of the book (bids or asks): price levels, each a doubly linked list of
 * order handles in priority order (ts ascending, then id ascending), with express
 * lanes (LevelLanes) to find a late order's place in O(log n).
 *
 * Levels are columns indexed by a level handle, like orders. A PriceMap finds the level
 * of a price; a PriceIndex keeps the prices sorted so the best one and the next-worse
 * one are cheap to find.
 */
import { LevelLanes, precedes } from './level-lanes';
import { NIL, type OrderStore } from './order-store';
import { NO_PRICE, PriceIndex } from './price-index';
import { PriceMap } from './price-map';
import type { DepthLevel } from './types';

const INITIAL_LEVELS = 256;
/**
 * A level total is kept as high * TOTAL_SPLIT + low with 0 <= low < TOTAL_SPLIT, low in
 * a double and high in an int32. 2^52 plus one more order (at most 2.1e15 sats < 2^52)
 * stays below 2^53, so every step of the sum is exact in a double, and a level can hold
 * any number of orders of any valid size: no honest order is refused for what others
 * rest at its price.
 */
const TOTAL_SPLIT = 2 ** 52;

export class BookSide {
  private lvPrice = new Int32Array(INITIAL_LEVELS);
  private lvHead = new Int32Array(INITIAL_LEVELS);
  private lvTail = new Int32Array(INITIAL_LEVELS);
  private lvCount = new Int32Array(INITIAL_LEVELS);
  /** Low part of each level total (see TOTAL_SPLIT): the whole total for all but absurd levels. */
  private lvAmount = new Float64Array(INITIAL_LEVELS);
  /** High part of each level total, in units of TOTAL_SPLIT sats. */
  private lvHigh = new Int32Array(INITIAL_LEVELS);
  /** Each level's express-lane header, or NIL while none of its orders has lanes. */
  private lvLanes = new Int32Array(INITIAL_LEVELS);
  private lvTop = 0;
  private lvFree = NIL;
  private readonly byPrice = new PriceMap();
  private readonly prices = new PriceIndex();

  /** The low bit of every level reference this side hands the store: 0 bids, 1 asks. */
  private readonly sideBit: number;

  /** `isBid`: best is the highest price; otherwise the lowest. */
  private readonly lanes: LevelLanes;

  /** `isBid`: best is the highest price; otherwise the lowest. `laneSeed`: see LevelLanes. */
  constructor(
    private readonly store: OrderStore,
    readonly isBid: boolean,
    laneSeed = 0,
  ) {
    this.sideBit = isBid ? 0 : 1;
    this.lanes = new LevelLanes(store, laneSeed);
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

  /**
   * Links order `h` (already in the store) into its level at its priority position.
   * `idHash` is hashId(its id), which decides its express lanes.
   */
  insert(h: number, idHash: number): void {
    const s = this.store;
    const price = s.price(h);
    let lv = this.byPrice.get(price);
    if (lv === NIL) lv = this.newLevel(price);
    // The side rides in the low bit, so the book knows an order's side from its level.
    s.setLevel(h, lv * 2 + this.sideBit);
    this.lvCount[lv]++;
    this.addTotal(lv, s.amount(h));
    const laneCount = this.lanes.lanesFor(idHash);
    let header = this.lvLanes[lv];
    if (laneCount > 0 && header === NIL) header = this.lvLanes[lv] = this.lanes.newHeader();
    // Usually the newest order goes last. One from another node can arrive late with
    // an earlier ts: the lanes find its place, so every node agrees on the order.
    const tail = this.lvTail[lv];
    let after: number;
    if (tail === NIL || !precedes(s, h, tail)) {
      after = tail;
      if (laneCount > 0) this.lanes.atTail(header);
    } else {
      after = this.lanes.findBefore(header, this.lvHead[lv], h);
    }
    if (laneCount > 0) s.setLane(h, this.lanes.link(h, laneCount));
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
    this.subtractTotal(this.store.level(h) >> 1, by);
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
    this.subtractTotal(lv, s.amount(h));
    const x = s.lane(h);
    if (x !== NIL) this.lanes.unlink(x);
    if (--this.lvCount[lv] === 0) this.dropLevel(lv);
  }

  /** Aggregated levels, best first. */
  depth(maxLevels: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (let p = this.best(); p !== NO_PRICE && out.length < maxLevels; p = this.worse(p)) {
      const lv = this.byPrice.get(p);
      const high = this.lvHigh[lv];
      const low = this.lvAmount[lv];
      // high <= 1: high * 2^52 + low <= 2^53 - 1, a safe integer; past that, a bigint too.
      if (high <= 1) out.push({ price: p, amount: high * TOTAL_SPLIT + low, orders: this.lvCount[lv] });
      else {
        const exact = BigInt(high) * BigInt(TOTAL_SPLIT) + BigInt(low);
        out.push({ price: p, amount: Number(exact), amountExact: exact, orders: this.lvCount[lv] });
      }
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

  private addTotal(lv: number, sats: number): void {
    let low = this.lvAmount[lv] + sats;
    if (low >= TOTAL_SPLIT) {
      low -= TOTAL_SPLIT;
      this.lvHigh[lv]++;
    }
    this.lvAmount[lv] = low;
  }

  private subtractTotal(lv: number, sats: number): void {
    let low = this.lvAmount[lv] - sats;
    if (low < 0) {
      low += TOTAL_SPLIT;
      this.lvHigh[lv]--;
    }
    this.lvAmount[lv] = low;
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
    this.lvHigh[lv] = 0;
    this.lvLanes[lv] = NIL;
    this.byPrice.set(price, lv);
    this.prices.insert(price);
    return lv;
  }

  private dropLevel(lv: number): void {
    const price = this.lvPrice[lv];
    if (this.lvLanes[lv] !== NIL) this.lanes.freeHeader(this.lvLanes[lv]);
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
    this.lvHigh = grow(this.lvHigh, new Int32Array(n));
    this.lvLanes = grow(this.lvLanes, new Int32Array(n));
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
