/**
 * What the benchmark reads off the process: event-loop lag (every node of the honest
 * side runs on this loop), heap after a full GC, and quantiles.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The histogram's sampling period: Node's default, one timer every 10 ms. */
const LAG_RESOLUTION_MS = 10;

export interface Lag {
  p99Ms: number;
  maxMs: number;
}

export class LoopLag {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });

  start(): void {
    this.h.reset();
    this.h.enable();
  }

  stop(): Lag {
    this.h.disable();
    return { p99Ms: this.h.percentile(99) / 1e6, maxMs: this.h.max / 1e6 };
  }
}

/** heapUsed + external (buffers' backing stores) after a full GC; needs node --expose-gc. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Nearest-rank quantile of unsorted samples (NaN for none). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x));
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
