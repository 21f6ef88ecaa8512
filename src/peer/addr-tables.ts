/**
 * The bucketed tables behind AddrMan (Bitcoin Core's addrman layout, scaled down):
 * "new" holds addresses we heard of, "tried" addresses where a handshake completed.
 * Each table is buckets x BUCKET_SIZE slots; an address has exactly one slot it may
 * occupy in each table, chosen by a keyed hash:
 *
 * - tried: bucket from (address group, one of TRIED_BUCKETS_PER_GROUP picked by the
 *   address), so one network group can fill at most that many tried buckets;
 * - new: bucket from (source group, one of NEW_BUCKETS_PER_SOURCE_GROUP picked by the
 *   address group), so one peer telling us addresses, however many, fills at most that
 *   many new buckets (issue 11: 1,600 bogus addresses in 50 `peers` messages);
 * - within the bucket, a first slot from (table, bucket, address), then the next ones
 *   in turn (linear probing), so a bucket fills up before anything is refused.
 *
 * The key is a per-node secret, so an attacker cannot compute which addresses collide
 * with the honest ones it wants to push out. Pure: the secret comes in.
 */
import { createHash } from 'node:crypto';

/** Slots per bucket (Core: 64; our networks are tens of nodes, not tens of thousands). */
export const BUCKET_SIZE = 16;
/** New buckets: 64 x 16 = 1,024 unverified addresses at most. */
export const NEW_BUCKET_COUNT = 64;
/** Tried buckets: 16 x 16 = 256 verified addresses, far more than a trading network has. */
export const TRIED_BUCKET_COUNT = 16;
/** One source group reaches 8 of the 64 new buckets (1/8; Core: 64 of 1024): at most 128 addresses. */
export const NEW_BUCKETS_PER_SOURCE_GROUP = 8;
/** One address group reaches 4 of the 16 tried buckets (1/4; Core: 8 of 256): at most 64 verified addresses. */
export const TRIED_BUCKETS_PER_GROUP = 4;

export type TableName = 'new' | 'tried';

export class AddrTables {
  private readonly slots: Record<TableName, (string | null)[]>;

  constructor(private readonly secret: Uint8Array) {
    if (secret.length < 16) throw new RangeError('addrman secret must be at least 16 bytes');
    this.slots = {
      new: new Array<string | null>(NEW_BUCKET_COUNT * BUCKET_SIZE).fill(null),
      tried: new Array<string | null>(TRIED_BUCKET_COUNT * BUCKET_SIZE).fill(null),
    };
  }

  /** The slots (indexes into the new table, in probe order) address `key` may take: all of one bucket. */
  newSlots(key: string, group: string, sourceGroup: string): number[] {
    const pick = this.hash('new-pick', group, sourceGroup) % NEW_BUCKETS_PER_SOURCE_GROUP;
    const bucket = this.hash('new-bucket', sourceGroup, String(pick)) % NEW_BUCKET_COUNT;
    return this.probe('new', bucket, key);
  }

  /** The slots address `key` may take in the tried table, in probe order: all of one bucket. */
  triedSlots(key: string, group: string): number[] {
    const pick = this.hash('tried-pick', key) % TRIED_BUCKETS_PER_GROUP;
    const bucket = this.hash('tried-bucket', group, String(pick)) % TRIED_BUCKET_COUNT;
    return this.probe('tried', bucket, key);
  }

  private probe(table: TableName, bucket: number, key: string): number[] {
    const first = this.hash('slot', table, String(bucket), key) % BUCKET_SIZE;
    return Array.from({ length: BUCKET_SIZE }, (_, i) => bucket * BUCKET_SIZE + ((first + i) % BUCKET_SIZE));
  }

  at(table: TableName, slot: number): string | null {
    return this.slots[table][slot];
  }

  put(table: TableName, slot: number, key: string): void {
    this.slots[table][slot] = key;
  }

  clear(table: TableName, slot: number, key: string): void {
    if (this.slots[table][slot] === key) this.slots[table][slot] = null;
  }

  capacity(table: TableName): number {
    return this.slots[table].length;
  }

  /** 32 bits of SHA-256(secret, parts): unpredictable without the secret. */
  private hash(...parts: string[]): number {
    const h = createHash('sha256');
    h.update(this.secret);
    for (const p of parts) h.update(`${p.length}:${p};`);
    return h.digest().readUInt32BE(0);
  }
}
