/**
 * Storage for resting orders as columns indexed by an integer handle, instead of one
 * JS object per order. A million orders then cost a few flat arrays (about 50 bytes
 * per order plus the id index) rather than a million objects with boxed doubles, and
 * the matching loop walks int32 links without touching the GC.
 *
 * Each order is also a node of its price level's doubly linked list (prev/next), so
 * removing any order is O(1) however many share its price. Freed handles are reused
 * through a free list threaded through `next`.
 */
export const NIL = -1;

const INITIAL_CAPACITY = 1024;

export class OrderStore {
  /** Cents per BTC. MAX_PRICE_CENTS fits in an int32. */
  price: Int32Array;
  /** Remaining sats; doubles hold every integer up to 2^53 exactly. */
  amount: Float64Array;
  /** Owner's timestamp, ms. */
  ts: Float64Array;
  prev: Int32Array;
  next: Int32Array;
  /** Handle of the price level the order rests in. */
  level: Int32Array;
  /** 0 = buy, 1 = sell. */
  side: Uint8Array;
  readonly ids: string[] = [];
  readonly owners: string[] = [];

  private capacity = INITIAL_CAPACITY;
  /** Handles below `top` have been used at least once. */
  private top = 0;
  private freeHead = NIL;
  private live = 0;

  constructor() {
    this.price = new Int32Array(INITIAL_CAPACITY);
    this.amount = new Float64Array(INITIAL_CAPACITY);
    this.ts = new Float64Array(INITIAL_CAPACITY);
    this.prev = new Int32Array(INITIAL_CAPACITY);
    this.next = new Int32Array(INITIAL_CAPACITY);
    this.level = new Int32Array(INITIAL_CAPACITY);
    this.side = new Uint8Array(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.live;
  }

  alloc(id: string, owner: string, side: number, price: number, amount: number, ts: number): number {
    let h = this.freeHead;
    if (h !== NIL) {
      this.freeHead = this.next[h];
      this.ids[h] = id;
      this.owners[h] = owner;
    } else {
      if (this.top === this.capacity) this.grow();
      h = this.top++;
      // push keeps the string arrays packed (no holes), which keeps them fast.
      this.ids.push(id);
      this.owners.push(owner);
    }
    this.side[h] = side;
    this.price[h] = price;
    this.amount[h] = amount;
    this.ts[h] = ts;
    this.prev[h] = NIL;
    this.next[h] = NIL;
    this.live++;
    return h;
  }

  free(h: number): void {
    // Drop the strings so a freed slot does not keep them alive.
    this.ids[h] = '';
    this.owners[h] = '';
    this.amount[h] = 0;
    this.next[h] = this.freeHead;
    this.freeHead = h;
    this.live--;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.price = growInt32(this.price, capacity);
    this.amount = growFloat64(this.amount, capacity);
    this.ts = growFloat64(this.ts, capacity);
    this.prev = growInt32(this.prev, capacity);
    this.next = growInt32(this.next, capacity);
    this.level = growInt32(this.level, capacity);
    const side = new Uint8Array(capacity);
    side.set(this.side);
    this.side = side;
    this.capacity = capacity;
  }
}

function growInt32(old: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(old);
  return next;
}

function growFloat64(old: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(old);
  return next;
}
