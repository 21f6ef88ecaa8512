/** Price (int32 cents) -> level handle on one side of the book, as an OpenTable. */
import { OpenTable } from './open-table';
import { NIL } from './order-store';

export class PriceMap {
  private readonly table = new OpenTable();

  /** The level at `price`, or NIL. The hash is the price itself: a 1:1 mix of it. */
  get(price: number): number {
    const t = this.table;
    const slots = t.slots;
    const hash = mix(price);
    for (let i = hash & t.mask; ; i = (i + 1) & t.mask) {
      const v = slots[2 * i + 1];
      if (v === 0) return NIL;
      if (slots[2 * i] === hash) return v - 1;
    }
  }

  /** The caller has checked that `price` is absent. */
  set(price: number, level: number): void {
    this.table.insert(mix(price), level);
  }

  delete(price: number): void {
    const t = this.table;
    const slots = t.slots;
    const hash = mix(price);
    for (let i = hash & t.mask; slots[2 * i + 1] !== 0; i = (i + 1) & t.mask) {
      if (slots[2 * i] === hash) {
        t.removeAt(i);
        return;
      }
    }
  }
}

/**
 * A bijection on int32 (odd multiply, xorshift), so equal hashes mean equal prices and
 * the hash alone is the key. Neighbouring prices land in different slots.
 */
function mix(price: number): number {
  let h = Math.imul(price, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) | 0;
}
