/**
 * Counts of whole-millisecond samples, for percentiles of propagation delays. Memory is
 * one entry per distinct value, not per sample: a 200-node run has millions of samples
 * but only a few thousand distinct delays.
 */
export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  private sum = 0;
  private maxValue = 0;

  add(ms: number): void {
    const v = Math.max(0, Math.round(ms));
    this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    this.count++;
    this.sum += v;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** The smallest value with at least `p` (0..1) of the samples at or below it; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (const v of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(v) as number;
      if (seen >= rank) return v;
    }
    return this.maxValue;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  get max(): number {
    return this.maxValue;
  }
}
