/**
 * The node's durable memory: every signed order event it has applied, exactly as it
 * was carried (body + signature), in LMDB under `<dataDir>/store`. On start the node
 * replays them through the same checks as a book sync, so its orders, their fills and
 * its trade history survive a restart even when no peer is there to hand them back.
 *
 * Why LMDB (the `lmdb` package): a crash-safe embedded store that is already a
 * well-kept companion of msgpackr, with ordered keys; UUIDv7 event ids sort by time, so
 * replay comes back in roughly the order things happened (order does not matter for
 * correctness: applying is idempotent and convergent by sequence number).
 *
 * Durability: the node's own events are committed synchronously before they are sent
 * (`putDurable`); peers' events are batched by lmdb into one transaction per turn of the
 * event loop and committed within milliseconds — a `kill -9` can lose the last few of
 * those, and peers hand them back in book sync. `close()` commits everything pending.
 */
import { open, type RootDatabase } from 'lmdb';
import { join } from 'node:path';

export interface StoredEvent {
  body: Uint8Array;
  sig: Uint8Array;
}

export class EventStore {
  private constructor(private readonly db: RootDatabase<StoredEvent, string>) {}

  static open(dataDir: string): EventStore {
    return new EventStore(open<StoredEvent, string>({ path: join(dataDir, 'store'), compression: false }));
  }

  /** Remembers one applied event (idempotent: the id is the key); committed within ms. */
  put(id: string, ev: StoredEvent): void {
    void this.db.put(id, { body: ev.body, sig: ev.sig });
  }

  /**
   * Remembers one event of our own before it is sent: committed (and synced to disk)
   * when this returns. Our decisions — above all an owner's grants — must survive a
   * `kill -9` that comes right after the network saw them, or a restarted owner could
   * grant the same amount twice.
   */
  putDurable(id: string, ev: StoredEvent): void {
    this.db.putSync(id, { body: ev.body, sig: ev.sig });
  }

  /** Every stored event, in id (≈ time) order. */
  *all(): Generator<StoredEvent> {
    for (const { value } of this.db.getRange()) yield value;
  }

  get size(): number {
    return this.db.getCount();
  }

  /** Resolves once every write so far is committed. */
  flushed(): Promise<void> {
    return this.db.flushed.then(() => undefined);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
