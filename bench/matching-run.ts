/**
 * Drives one engine through a workload: prefill, then the timed ops. Produces the
 * fingerprint that proves two engines did the same thing, and optionally per-op
 * latencies (a separate pass, so the clock reads do not slow the throughput pass).
 */
import { performance } from 'node:perf_hooks';
import type { EngineAdapter, EngineFactory } from './adapters/engine';
import { OP_CANCEL, OP_LIMIT, type Ops, type Workload } from './matching-workload';

export interface Fingerprint {
  limitFilledLots: number;
  marketFilledLots: number;
  cancelHits: number;
  restingOrders: number;
  restingLots: number;
  /** Order-independent hash of the final book. */
  restingHash: string;
  /** Hash over every op's result, in op order. */
  opsHash: string;
}

export interface RunResult {
  engine: string;
  seconds: number;
  fingerprint: Fingerprint;
  /** Per-op nanoseconds by op kind, when measured. */
  latencies?: Float64Array[];
}

const FNV_PRIME = 0x01000193;

export function run(factory: EngineFactory, w: Workload, measureLatency: boolean): RunResult {
  const engine = factory();
  drive(engine, w.prefill, w.ids, 0, undefined);
  const durations = measureLatency ? new Float64Array(w.ops.length) : undefined;
  const start = performance.now();
  const totals = drive(engine, w.ops, w.ids, w.prefill.length, durations);
  const seconds = (performance.now() - start) / 1000;
  const summary = engine.summary();
  const fingerprint: Fingerprint = {
    ...totals,
    restingOrders: summary.orders,
    restingLots: summary.lots,
    restingHash: hex(summary.hash),
    opsHash: hex(totals.opsHash),
  };
  return { engine: engine.name, seconds, fingerprint, latencies: durations && byKind(w.ops, durations) };
}

interface Totals {
  limitFilledLots: number;
  marketFilledLots: number;
  cancelHits: number;
  opsHash: number;
}

function drive(engine: EngineAdapter, ops: Ops, ids: string[], seqBase: number, durations: Float64Array | undefined): Totals {
  let limitFilledLots = 0;
  let marketFilledLots = 0;
  let cancelHits = 0;
  let hash = 0x811c9dc5;
  const { kind, side, price, lots, ref } = ops;
  for (let i = 0; i < ops.length; i++) {
    const k = kind[i];
    const t0 = durations === undefined ? 0 : performance.now();
    let result: number;
    if (k === OP_LIMIT) {
      result = engine.limit(side[i], ids[ref[i]], price[i], lots[i], seqBase + i);
      limitFilledLots += result;
    } else if (k === OP_CANCEL) {
      result = engine.cancel(ids[ref[i]]) ? 1 : 0;
      cancelHits += result;
    } else {
      result = engine.market(side[i], lots[i], seqBase + i);
      marketFilledLots += result;
    }
    if (durations !== undefined) durations[i] = (performance.now() - t0) * 1e6;
    hash = Math.imul(Math.imul(hash ^ k, FNV_PRIME) ^ result, FNV_PRIME);
  }
  return { limitFilledLots, marketFilledLots, cancelHits, opsHash: hash >>> 0 };
}

function byKind(ops: Ops, durations: Float64Array): Float64Array[] {
  const counts = [0, 0, 0];
  for (let i = 0; i < ops.length; i++) counts[ops.kind[i]]++;
  const out = counts.map((n) => new Float64Array(n));
  const at = [0, 0, 0];
  for (let i = 0; i < ops.length; i++) out[ops.kind[i]][at[ops.kind[i]]++] = durations[i];
  return out;
}

/** The q-quantile (0..1) of a sample, nearest rank. Sorts a copy. */
export function quantile(sample: Float64Array, q: number): number {
  const sorted = Float64Array.from(sample).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
