/**
 * A Map with at most `max` keys that forgets the least recently used one past that.
 * Every per-peer or per-origin table of the limits is one, so no stream of fresh keys
 * (fresh node ids cost nothing) can grow a node's memory without bound.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marked most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores as most recently used; returns the key evicted to make room, if any. */
  set(key: K, value: V): K | undefined {
    let evicted: K | undefined;
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.max) {
      evicted = this.map.keys().next().value as K;
      this.map.delete(evicted);
    }
    this.map.set(key, value);
    return evicted;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Least recently used first. */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
