/**
 * The clock and timers the operator layer uses: the daemon's one clock (src/clock),
 * behind the small interface the operator's tests drive by hand.
 */
import type { TimerHandle } from '../clock/clock';
import { realClock } from '../clock/real-clock';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => realClock.now(),
  setTimeout: (fn, ms) => realClock.setTimeout(fn, ms),
  clearTimeout: (h) => realClock.clearTimeout(h as TimerHandle),
  // Metrics sampling must never be the thing that keeps a stopping process alive (the
  // real clock's intervals are unref'd).
  setInterval: (fn, ms) => realClock.setInterval(fn, ms),
  clearInterval: (h) => realClock.clearInterval(h as TimerHandle),
};
