/**
 * Express lanes over the orders of one price level: the upper levels of a skip list
 * whose bottom level is the level's own doubly linked list (OrderStore prev/next).
 *
 * Why: an order from another node can arrive late with an earlier ts and must be put
 * at its place. Walking back from the tail to find that place is O(level size), so
 * 20,000 orders at one price arriving in descending ts cost O(n^2) (issue 9). With
 * lanes the place is found in O(log n) expected; the common case (the newest order
 * goes last) stays O(1), and matching still walks the bottom list untouched.
 *
 * An order's lane count comes from a hash of its id, never from randomness: about one
 * order in LANE_ODDS has at least one lane, one in LANE_ODDS^2 at least two, and so on,
 * and every node builds the same lanes for the same orders. An optional seed mixes into
 * that hash so that a node can stop someone grinding ids whose orders all get no lane
 * (the priority order is the same with any seed; only the lanes differ).
 *
 * Storage: one growable Int32Array of nodes. A node is [handle, lanes, next1, prev1,
 * next2, prev2, ...]; a price level that has any laned order owns a header node of
 * MAX_LANES lanes that is the sentinel of every lane's circular list (handle NIL).
 * Node references are offsets into the pool; freed nodes are kept on one free list per
 * lane count.
 */
import { NIL, type OrderStore } from './order-store';

/**
 * Most lanes one order gets. Each lane divides the orders above it by LANE_ODDS (4), so
 * 12 lanes keep searches logarithmic up to 4^13 (67 million) orders at one price, more
 * than a book ever holds; a header costs 2 + 2 * 12 ints per price level that has lanes.
 */
export const MAX_LANES = 12;
/** One order in 4 reaches the next lane up: the usual skip-list choice (fewer, longer hops than 1/2). */
export const LANE_ODDS = 4;

const HANDLE = 0;
const LANES = 1;
const LINKS = 2;
const INITIAL_POOL = 4096;

export class LevelLanes {
  private pool = new Int32Array(INITIAL_POOL);
  private top = 0;
  /** Free node lists per lane count, threaded through the HANDLE slot. */
  private readonly free = new Int32Array(MAX_LANES + 1).fill(NIL);
  /** Scratch: the node after which the new order goes, per lane. */
  private readonly before = new Int32Array(MAX_LANES + 1);

  constructor(
    private readonly store: OrderStore,
    private readonly seed = 0,
  ) {}

  /** Lanes an order with this id hash gets: 0 for about 3 orders in 4. */
  lanesFor(idHash: number): number {
    let h = idHash;
    if (this.seed !== 0) {
      h = Math.imul(h ^ this.seed, 0x9e3779b1);
      h ^= h >>> 15;
      h = Math.imul(h ^ this.seed, 0x85ebca6b);
      h ^= h >>> 13;
    }
    // Two leading zero bits per lane: each lane is 1 in 4 of the one below.
    return Math.min(MAX_LANES, Math.clz32(h) >>> 1);
  }

  /** A new, empty header for one price level. */
  newHeader(): number {
    const x = this.alloc(MAX_LANES);
    const p = this.pool;
    p[x + HANDLE] = NIL;
    for (let k = 0; k < MAX_LANES; k++) {
      p[x + LINKS + 2 * k] = x;
      p[x + LINKS + 2 * k + 1] = x;
    }
    return x;
  }

  freeHeader(header: number): void {
    this.release(header, MAX_LANES);
  }

  /**
   * The order handle after which order `h` belongs in the level (NIL: at the head),
   * descending the lanes from `header` (NIL when the level has none) and finishing on
   * the bottom list from `head`. Remembers each lane's predecessor for link().
   */
  findBefore(header: number, head: number, h: number): number {
    const s = this.store;
    const p = this.pool;
    let cursor = header;
    if (header !== NIL) {
      for (let k = MAX_LANES - 1; k >= 0; k--) {
        for (;;) {
          const nx = p[cursor + LINKS + 2 * k];
          if (nx === header || !precedes(s, p[nx + HANDLE], h)) break;
          cursor = nx;
        }
        this.before[k] = cursor;
      }
    }
    let after = cursor === header ? NIL : p[cursor + HANDLE];
    for (let nx = after === NIL ? head : s.next(after); nx !== NIL && precedes(s, nx, h); nx = s.next(nx)) after = nx;
    return after;
  }

  /** findBefore() for an order known to go last: each lane's predecessor is its tail. */
  atTail(header: number): void {
    const p = this.pool;
    for (let k = 0; k < MAX_LANES; k++) this.before[k] = p[header + LINKS + 2 * k + 1];
  }

  /**
   * Gives order `h` its `lanes` lanes, each linked after the predecessor the last
   * findBefore()/atTail() on this header remembered. Returns the node, stored by the caller.
   */
  link(h: number, lanes: number): number {
    const x = this.alloc(lanes);
    const p = this.pool;
    p[x + HANDLE] = h;
    for (let k = 0; k < lanes; k++) {
      const prev = this.before[k];
      const next = p[prev + LINKS + 2 * k];
      p[x + LINKS + 2 * k] = next;
      p[x + LINKS + 2 * k + 1] = prev;
      p[prev + LINKS + 2 * k] = x;
      p[next + LINKS + 2 * k + 1] = x;
    }
    return x;
  }

  /** Removes node `x` from all its lanes and frees it. O(lanes). */
  unlink(x: number): void {
    const p = this.pool;
    const lanes = p[x + LANES];
    for (let k = 0; k < lanes; k++) {
      const next = p[x + LINKS + 2 * k];
      const prev = p[x + LINKS + 2 * k + 1];
      p[prev + LINKS + 2 * k] = next;
      p[next + LINKS + 2 * k + 1] = prev;
    }
    this.release(x, lanes);
  }

  private alloc(lanes: number): number {
    let x = this.free[lanes];
    if (x !== NIL) {
      this.free[lanes] = this.pool[x + HANDLE];
    } else {
      const size = LINKS + 2 * lanes;
      if (this.top + size > this.pool.length) {
        const grown = new Int32Array(this.pool.length * 2);
        grown.set(this.pool);
        this.pool = grown;
      }
      x = this.top;
      this.top += size;
    }
    this.pool[x + LANES] = lanes;
    return x;
  }

  private release(x: number, lanes: number): void {
    this.pool[x + HANDLE] = this.free[lanes];
    this.free[lanes] = x;
  }
}

/** Whether order a has priority over order b at the same price: earlier ts, then lower id. */
export function precedes(s: OrderStore, a: number, b: number): boolean {
  const ta = s.ts(a);
  const tb = s.ts(b);
  return ta < tb || (ta === tb && s.id(a) < s.id(b));
}
