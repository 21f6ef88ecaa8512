import type { Clock, TimerHandle } from './clock';
import { SeededRandom } from './seeded-random';

interface Entry extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
  /** Re-armed this much later after each run (setInterval); 0 = one shot. */
  every: number;
  cancelled: boolean;
}

/** Lets every promise continuation and nextTick queued so far run (setImmediate comes after them). */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for tests and the simulator. Nothing happens until the owner moves time
 * with `advance()`/`runUntil()`: timers then fire in (time, arming order), and after
 * each one every promise continuation it queued runs before the next timer, so a run
 * is a pure function of the seed and the calls made — the same twice.
 *
 * `view(offset)` gives a node its own clock face (its wall clock off by `offset` ms,
 * its own random stream) over the same timeline.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Entry[] = [];
  private live = 0;
  readonly rng: SeededRandom;

  constructor(opts: { start?: number; seed?: string | number } = {}) {
    // Default start: a fixed, realistic date (UUIDv7 ids need ms since the epoch).
    this.t = opts.start ?? Date.UTC(2026, 0, 1);
    this.rng = new SeededRandom(opts.seed ?? 0);
  }

  now(): number {
    return this.t;
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.live;
  }

  /** When the next timer fires, or null when none is armed. */
  nextAt(): number | null {
    this.dropCancelledTop();
    return this.heap.length > 0 ? this.heap[0].at : null;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.arm(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.arm(fn, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    const e = handle as Entry | null | undefined;
    if (!e || e.cancelled) return;
    e.cancelled = true;
    this.live--;
  }

  clearInterval(handle: TimerHandle | null | undefined): void {
    this.clearTimeout(handle);
  }

  random(): number {
    return this.rng.random();
  }

  randomBytes(n: number): Buffer {
    return this.rng.bytes(n);
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<number> {
    return this.runUntil(this.t + ms);
  }

  /**
   * Fires every timer due at or before `until`, in order, letting promise continuations
   * run after each; then sets the time to `until`. Returns how many timers fired.
   */
  async runUntil(until: number): Promise<number> {
    let fired = 0;
    await drainMicrotasks();
    for (;;) {
      this.dropCancelledTop();
      const e = this.heap[0];
      if (!e || e.at > until) break;
      this.pop();
      this.t = Math.max(this.t, e.at);
      if (e.every > 0) {
        e.at = this.t + e.every;
        e.seq = this.seq++;
        this.push(e);
      } else {
        e.cancelled = true;
        this.live--;
      }
      e.fn();
      fired++;
      await drainMicrotasks();
    }
    this.t = Math.max(this.t, until);
    return fired;
  }

  /** A clock face `offsetMs` off this one's time, with its own random stream. */
  view(offsetMs: number, label: string | number): Clock {
    const rng = this.rng.fork(label);
    return {
      now: () => this.t + offsetMs,
      setTimeout: (fn, ms) => this.setTimeout(fn, ms),
      clearTimeout: (h) => this.clearTimeout(h),
      setInterval: (fn, ms) => this.setInterval(fn, ms),
      clearInterval: (h) => this.clearInterval(h),
      random: () => rng.random(),
      randomBytes: (n) => rng.bytes(n),
    };
  }

  private arm(fn: () => void, ms: number, every: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
    const e: Entry = { __timer: true, at: this.t + delay, seq: this.seq++, fn, every, cancelled: false };
    this.push(e);
    this.live++;
    return e;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  // A binary min-heap on (at, seq): seq keeps timers due at the same ms in arming order.
  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
