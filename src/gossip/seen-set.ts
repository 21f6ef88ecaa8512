import { createHash } from 'node:crypto';
import { ownBytes } from '../wire/own-bytes';

/**
 * Which copy of an event was handled matters: two bodies under one id are a conflict (an
 * origin signing two versions of one event), not a duplicate; a second valid signature
 * over the same body is just a duplicate. The seen-set keeps each id's first signature
 * and body hash.
 */
export function bodyHash(body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest();
}

/**
 * The ids of events already handled, for `windowMs`. Pure: time comes in.
 *
 * Two bounds keep memory flat under any flood: entries expire, and at most `max` are
 * kept. Every id it forgets would become replayable, so forgetting raises a floor:
 * events stamped at or before the floor are refused as stale (`isStale`). Expiry keeps
 * an entry until no event with its timestamp could pass the age check any more;
 * eviction for room lifts the floor to the evicted event's timestamp.
 */
interface Entry {
  ts: number;
  until: number;
  /** Signature of the first copy taken, and the hash of its body. */
  sig: Buffer;
  hash: Buffer;
  /** Hashes of other versions seen under this id (a conflict), at most MAX_VERSIONS − 1. */
  others: Buffer[] | null;
}

/** Versions of one id remembered: the first, and one conflicting one (the proof needs two). */
const MAX_VERSIONS = 2;

export type CopyVerdict = 'new' | 'same' | 'other';

export class SeenSet {
  /** id → entry; insertion order = arrival order. */
  private entries = new Map<string, Entry>();
  private floorTs = -Infinity;

  constructor(
    readonly windowMs: number,
    readonly max: number,
    /** How far in the future an accepted ts may be (the clock bound). */
    readonly futureMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Events stamped at or before this are refused (raised when ids had to be evicted early). */
  get floor(): number {
    return this.floorTs;
  }

  has(id: string, now: number): boolean {
    this.expire(now);
    return this.entries.has(id);
  }

  /** Too old to accept: beyond the window, or at/below the floor. */
  isStale(ts: number, now: number): boolean {
    return ts < now - this.windowMs || ts <= this.floorTs;
  }

  isFuture(ts: number, now: number): boolean {
    return ts > now + this.futureMs;
  }

  /**
   * Is this copy of `id` one already handled ('same': same signature, or same body),
   * another version of it ('other': a different body — a conflict), or new ('new')?
   * A body is hashed only when the signature differs, so ordinary duplicates cost a
   * 64-byte compare.
   */
  copy(id: string, sig: Uint8Array, body: Uint8Array, now: number): CopyVerdict {
    this.expire(now);
    const e = this.entries.get(id);
    if (!e) return 'new';
    if (Buffer.compare(e.sig, sig) === 0) return 'same';
    const h = bodyHash(body);
    if (h.equals(e.hash) || e.others?.some((o) => o.equals(h))) return 'same';
    return 'other';
  }

  /** Remembers another (verified) version of a handled id; false when enough versions are known. */
  addVersion(id: string, body: Uint8Array): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const others = (e.others ??= []);
    if (others.length >= MAX_VERSIONS - 1) return false;
    others.push(bodyHash(body));
    return true;
  }

  /** Forgets an id taken but then refused for now (a budget): its next copy is considered afresh. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  add(id: string, ts: number, now: number, sig: Uint8Array = EMPTY, body: Uint8Array = EMPTY): void {
    this.expire(now);
    if (this.entries.has(id)) return;
    if (this.entries.size >= this.max) {
      const [oldId, old] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldId);
      if (old.ts > this.floorTs) this.floorTs = old.ts;
    }
    // An accepted ts is at most now + futureMs, so by arrival + window + futureMs the
    // age check alone refuses it; a bound monotone in arrival lets expiry pop from the front.
    this.entries.set(id, { ts, until: now + this.windowMs + this.futureMs, sig: ownBytes(sig), hash: bodyHash(body), others: null });
  }

  private expire(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.until > now) return;
      this.entries.delete(id);
    }
  }
}

const EMPTY = new Uint8Array(0);
