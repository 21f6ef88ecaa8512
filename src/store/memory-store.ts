import type { Clock, TimerHandle } from '../clock/clock';
import type { EventStore, StoredEvent } from './event-store';

/**
 * An event store in memory, for tests and the simulator. It models what a crash keeps:
 * durable writes at once, plain writes only once `commit()` runs (the daemon's LMDB
 * commits them within a turn of the event loop; the owner of this store decides when,
 * e.g. on a timer). `crash()` returns what a restarted node would find on disk.
 */
export class MemoryEventStore implements EventStore {
  private readonly committed = new Map<string, StoredEvent>();
  private pending = new Map<string, StoredEvent>();
  private closed = false;
  private commitTimer: TimerHandle | null = null;

  /** With a clock, plain writes commit on the next timer turn, as LMDB's batch does. */
  constructor(private readonly clock?: Clock) {}

  put(id: string, ev: StoredEvent): void {
    if (this.committed.has(id)) return;
    this.pending.set(id, ev);
    if (this.clock && this.commitTimer === null) {
      this.commitTimer = this.clock.setTimeout(() => {
        this.commitTimer = null;
        this.commit();
      }, 0);
    }
  }

  putDurable(id: string, ev: StoredEvent): void {
    this.pending.delete(id);
    this.committed.set(id, ev);
  }

  /** Makes every plain write so far durable (LMDB's batched commit). */
  commit(): void {
    for (const [id, ev] of this.pending) this.committed.set(id, ev);
    this.pending.clear();
  }

  get(key: string): StoredEvent | undefined {
    return this.committed.get(key) ?? this.pending.get(key);
  }

  *all(): Generator<StoredEvent> {
    for (const [, ev] of this.entries()) yield ev;
  }

  *entries(): Generator<[string, StoredEvent]> {
    const ids = [...new Set([...this.committed.keys(), ...this.pending.keys()])].sort();
    for (const id of ids) yield [id, (this.committed.get(id) ?? this.pending.get(id)) as StoredEvent];
  }

  get size(): number {
    let n = this.committed.size;
    for (const id of this.pending.keys()) if (!this.committed.has(id)) n++;
    return n;
  }

  flushed(): Promise<void> {
    this.commit();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (!this.closed) this.commit();
    this.closed = true;
    this.clock?.clearTimeout(this.commitTimer);
    this.commitTimer = null;
  }

  /** What survives a `kill -9` now: a new store holding only the committed writes. */
  crash(): MemoryEventStore {
    this.clock?.clearTimeout(this.commitTimer);
    this.commitTimer = null;
    const after = new MemoryEventStore(this.clock);
    for (const [id, ev] of this.committed) after.committed.set(id, ev);
    this.pending.clear();
    this.closed = true;
    return after;
  }
}
