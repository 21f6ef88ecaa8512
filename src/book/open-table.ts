/**
 * The slot array behind IdIndex and PriceMap: open addressing with linear probing over
 * an Int32Array of (hash, value + 1) pairs, where value + 1 === 0 marks an empty slot.
 *
 * Why not a JS Map: on a book bigger than the CPU cache every lookup is a cache miss,
 * and a Map costs two or three (bucket, entry chain, key). Here a pair sits in one
 * slot, a miss finds the empty slot in the same cache line, and a hit costs one miss
 * plus the key check. Deletion shifts later entries back (no tombstones), so a table
 * that sees millions of adds and cancels never degrades. Load stays at most 1/2.
 */
const INITIAL_SLOTS = 1024;

export class OpenTable {
  /** Pairs: [2i] = hash, [2i + 1] = value + 1 (0 = empty). */
  slots = new Int32Array(INITIAL_SLOTS * 2);
  mask = INITIAL_SLOTS - 1;
  count = 0;

  /** Stores `value` under `hash` in the first free slot of its probe run. */
  insert(hash: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = hash & this.mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    slots[2 * i] = hash;
    slots[2 * i + 1] = value + 1;
    this.count++;
  }

  /** Removes the entry in slot `i`, moving back later entries of the run so no probe breaks. */
  removeAt(i: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; slots[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = slots[2 * j] & mask;
      // The entry at j may fill the hole only if its home is not inside (hole, j].
      const canMove = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (canMove) {
        slots[2 * hole] = slots[2 * j];
        slots[2 * hole + 1] = slots[2 * j + 1];
        hole = j;
      }
    }
    slots[2 * hole] = 0;
    slots[2 * hole + 1] = 0;
    this.count--;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i], old[i + 1] - 1);
  }
}
