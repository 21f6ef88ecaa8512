/**
 * The sorted set of prices that have at least one order on one side of the book.
 *
 * Prices live in sorted blocks of at most BLOCK_SIZE int32s (a two-level B-tree).
 * Insert and delete cost one binary search over the blocks, one inside a block and a
 * memmove of at most BLOCK_SIZE ints, however many levels the book has and however
 * far they are spread: a dense book (tick 0.5 USD) and a sparse one (any cent) cost
 * the same. Min and max are O(1). Prices are positive, so -1 means "none".
 */
const BLOCK_SIZE = 512;
/** Two neighbours merge when together they fit in this much, which bounds the block count. */
const MERGE_SIZE = BLOCK_SIZE / 2;

export const NO_PRICE = -1;

export class PriceIndex {
  private blocks: Int32Array[] = [];
  private counts: number[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  min(): number {
    return this.total === 0 ? NO_PRICE : this.blocks[0][0];
  }

  max(): number {
    if (this.total === 0) return NO_PRICE;
    const last = this.blocks.length - 1;
    return this.blocks[last][this.counts[last] - 1];
  }

  insert(price: number): void {
    if (this.blocks.length === 0) {
      const block = new Int32Array(BLOCK_SIZE);
      block[0] = price;
      this.blocks.push(block);
      this.counts.push(1);
      this.total = 1;
      return;
    }
    let b = this.blockFor(price);
    if (b === this.blocks.length) b--; // above every price: append to the last block
    const block = this.blocks[b];
    const count = this.counts[b];
    const at = lowerBound(block, count, price);
    if (at < count && block[at] === price) throw new Error(`price ${price} already indexed`);
    block.copyWithin(at + 1, at, count);
    block[at] = price;
    this.counts[b] = count + 1;
    this.total++;
    if (count + 1 === BLOCK_SIZE) this.split(b);
  }

  delete(price: number): boolean {
    const b = this.blockFor(price);
    if (b === this.blocks.length) return false;
    const block = this.blocks[b];
    const count = this.counts[b];
    const at = lowerBound(block, count, price);
    if (at === count || block[at] !== price) return false;
    block.copyWithin(at, at + 1, count);
    this.counts[b] = count - 1;
    this.total--;
    if (count - 1 === 0) {
      this.blocks.splice(b, 1);
      this.counts.splice(b, 1);
    } else if (b + 1 < this.blocks.length && count - 1 + this.counts[b + 1] <= MERGE_SIZE) {
      this.merge(b);
    }
    return true;
  }

  /** Smallest price strictly above `price`, or NO_PRICE. */
  above(price: number): number {
    const b = this.blockFor(price + 1);
    if (b === this.blocks.length) return NO_PRICE;
    return this.blocks[b][lowerBound(this.blocks[b], this.counts[b], price + 1)];
  }

  /** Largest price strictly below `price`, or NO_PRICE. */
  below(price: number): number {
    let b = this.blockFor(price);
    if (b === this.blocks.length) b--;
    for (; b >= 0; b--) {
      const at = lowerBound(this.blocks[b], this.counts[b], price);
      if (at > 0) return this.blocks[b][at - 1];
    }
    return NO_PRICE;
  }

  /** All prices, ascending. For depth and listings, not for the hot path. */
  toArray(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.blocks.length; b++) {
      for (let i = 0; i < this.counts[b]; i++) out.push(this.blocks[b][i]);
    }
    return out;
  }

  /** Index of the first block whose largest price is >= price (blocks.length if none). */
  private blockFor(price: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blocks[mid][this.counts[mid] - 1] < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private split(b: number): void {
    const block = this.blocks[b];
    const half = BLOCK_SIZE >>> 1;
    const upper = new Int32Array(BLOCK_SIZE);
    upper.set(block.subarray(half, BLOCK_SIZE));
    this.counts[b] = half;
    this.blocks.splice(b + 1, 0, upper);
    this.counts.splice(b + 1, 0, BLOCK_SIZE - half);
  }

  private merge(b: number): void {
    this.blocks[b].set(this.blocks[b + 1].subarray(0, this.counts[b + 1]), this.counts[b]);
    this.counts[b] += this.counts[b + 1];
    this.blocks.splice(b + 1, 1);
    this.counts.splice(b + 1, 1);
  }
}

/** First index in block[0..count) holding a value >= price. */
function lowerBound(block: Int32Array, count: number, price: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (block[mid] < price) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
