/**
 * The node's durable memory: every signed order event it has applied, exactly as it
 * was carried (body + signature). On start the node replays them through the same
 * checks as any other event, so its orders, their fills and its trade history survive
 * a restart even when no peer is there to hand them back.
 *
 * Two implementations: LMDB on disk for the daemon (lmdb-store.ts) and an in-memory
 * one for tests and the simulator (memory-store.ts) that can lose what a crash would.
 *
 * Durability: the node's own events are committed synchronously before they are sent
 * (`putDurable`): an owner must never forget a decision the network has seen. Peers'
 * events (`put`) are committed within milliseconds; a `kill -9` can lose the last few of
 * those, and peers hand them back in book sync.
 */
export interface StoredEvent {
  body: Uint8Array;
  sig: Uint8Array;
}

export interface EventStore {
  /** Remembers one applied event (idempotent: the id is the key); committed within ms. */
  put(id: string, ev: StoredEvent): void;
  /** Remembers one event of our own: committed (synced to disk) when this returns. */
  putDurable(id: string, ev: StoredEvent): void;
  /** The event stored under `key` (an event id, or an id~hash key for another version of it). */
  get(key: string): StoredEvent | undefined;
  /** Every stored event, in id (≈ time) order. */
  all(): Iterable<StoredEvent>;
  /** Every stored event with its key, in key order (ids ≈ time; `~` keys last). */
  entries(): Iterable<[string, StoredEvent]>;
  readonly size: number;
  /** Resolves once every write so far is committed. */
  flushed(): Promise<void>;
  close(): Promise<void>;
}
