/**
 * Order id -> order handle, the lookup behind cancel, reduce and get. An OpenTable
 * keyed by a 32-bit hash of the id; the id itself is not copied, a hit is confirmed
 * against the store's id for that handle.
 */
import { OpenTable } from './open-table';
import { NIL, type OrderStore } from './order-store';

export class IdIndex {
  private readonly table = new OpenTable();

  constructor(private readonly store: OrderStore) {}

  get size(): number {
    return this.table.count;
  }

  /** The handle of `id`, or NIL. */
  get(id: string): number {
    return this.getHashed(id, hashId(id));
  }

  /** get() for a caller that already has hashId(id). */
  getHashed(id: string, hash: number): number {
    const t = this.table;
    const slots = t.slots;
    for (let i = hash & t.mask; ; i = (i + 1) & t.mask) {
      const v = slots[2 * i + 1];
      if (v === 0) return NIL;
      if (slots[2 * i] === hash && this.store.id(v - 1) === id) return v - 1;
    }
  }

  /** Indexes handle `h` under `id`; the caller has checked that `id` is absent. */
  set(id: string, h: number): void {
    this.table.insert(hashId(id), h);
  }

  /** set() for a caller that already has hashId(id). */
  setHashed(hash: number, h: number): void {
    this.table.insert(hash, h);
  }

  /** Drops handle `h`, indexed under `id`. No string compare: the handle is unique. */
  delete(id: string, h: number): void {
    const t = this.table;
    const slots = t.slots;
    const want = h + 1;
    for (let i = hashId(id) & t.mask; slots[2 * i + 1] !== 0; i = (i + 1) & t.mask) {
      if (slots[2 * i + 1] === want) {
        t.removeAt(i);
        return;
      }
    }
  }
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so the low bits mix well. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
