/**
 * Storage for resting orders, addressed by an integer handle instead of one JS object
 * per order. A million orders cost three flat arrays (52 bytes per order plus the id
 * index) rather than a million objects with boxed doubles, and the matching loop walks
 * int32 links without allocating.
 *
 * Records are interleaved (array of structs), not one array per field: touching an
 * order at a random handle, as a cancel does, then costs about three cache misses
 * (ints, doubles, strings) instead of one per field. On a book larger than the CPU
 * cache that is most of the cost of a cancel.
 *
 * Each order is a node of its price level's doubly linked list (prev/next), so any
 * order is unlinked in O(1) however many share its price. Freed handles are reused
 * through a free list threaded through `next`.
 */
export const NIL = -1;

const INITIAL_CAPACITY = 1024;

/**
 * int32 record: price (cents, fits: MAX_PRICE_CENTS < 2^31), prev, next, level ref,
 * and the order's express-lane node (see LevelLanes; NIL for about 3 orders in 4).
 */
const INTS = 5;
const PRICE = 0;
const PREV = 1;
const NEXT = 2;
const LEVEL = 3;
const LANE = 4;
/** float64 record: amount (sats; every integer below 2^53 is exact), ts (ms). */
const DOUBLES = 2;
const AMOUNT = 0;
const TS = 1;
/** string record: id, owner. */
const STRINGS = 2;

export class OrderStore {
  private ints: Int32Array;
  private doubles: Float64Array;
  private readonly strings: string[] = [];
  private capacity = INITIAL_CAPACITY;
  /** Handles below `top` have been used at least once. */
  private top = 0;
  private freeHead = NIL;
  private live = 0;

  constructor() {
    this.ints = new Int32Array(INITIAL_CAPACITY * INTS);
    this.doubles = new Float64Array(INITIAL_CAPACITY * DOUBLES);
  }

  get size(): number {
    return this.live;
  }

  alloc(id: string, owner: string, price: number, amount: number, ts: number): number {
    let h = this.freeHead;
    if (h !== NIL) {
      this.freeHead = this.ints[h * INTS + NEXT];
      this.strings[h * STRINGS] = id;
      this.strings[h * STRINGS + 1] = owner;
    } else {
      if (this.top === this.capacity) this.grow();
      h = this.top++;
      // push keeps the array packed (no holes), which keeps it fast.
      this.strings.push(id, owner);
    }
    const i = h * INTS;
    this.ints[i + PRICE] = price;
    this.ints[i + PREV] = NIL;
    this.ints[i + NEXT] = NIL;
    this.ints[i + LANE] = NIL;
    this.doubles[h * DOUBLES + AMOUNT] = amount;
    this.doubles[h * DOUBLES + TS] = ts;
    this.live++;
    return h;
  }

  free(h: number): void {
    // Drop the strings so a freed slot does not keep them alive.
    this.strings[h * STRINGS] = '';
    this.strings[h * STRINGS + 1] = '';
    this.ints[h * INTS + NEXT] = this.freeHead;
    this.freeHead = h;
    this.live--;
  }

  id(h: number): string {
    return this.strings[h * STRINGS];
  }
  owner(h: number): string {
    return this.strings[h * STRINGS + 1];
  }
  price(h: number): number {
    return this.ints[h * INTS + PRICE];
  }
  prev(h: number): number {
    return this.ints[h * INTS + PREV];
  }
  next(h: number): number {
    return this.ints[h * INTS + NEXT];
  }
  /** The owning side's reference to the order's level (see BookSide). */
  level(h: number): number {
    return this.ints[h * INTS + LEVEL];
  }
  /** The order's express-lane node, or NIL. */
  lane(h: number): number {
    return this.ints[h * INTS + LANE];
  }
  amount(h: number): number {
    return this.doubles[h * DOUBLES + AMOUNT];
  }
  ts(h: number): number {
    return this.doubles[h * DOUBLES + TS];
  }

  setPrev(h: number, v: number): void {
    this.ints[h * INTS + PREV] = v;
  }
  setNext(h: number, v: number): void {
    this.ints[h * INTS + NEXT] = v;
  }
  setLevel(h: number, v: number): void {
    this.ints[h * INTS + LEVEL] = v;
  }
  setLane(h: number, v: number): void {
    this.ints[h * INTS + LANE] = v;
  }
  setAmount(h: number, v: number): void {
    this.doubles[h * DOUBLES + AMOUNT] = v;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const ints = new Int32Array(capacity * INTS);
    ints.set(this.ints);
    const doubles = new Float64Array(capacity * DOUBLES);
    doubles.set(this.doubles);
    this.ints = ints;
    this.doubles = doubles;
    this.capacity = capacity;
  }
}
