/**
 * The benchmark workload, generated once from a seed and fed identically to every
 * engine: a prefill of resting limit orders around a mid price, then a mix of limit
 * orders (some aggressive), cancels of earlier ids and market orders. Prices are
 * integer cents, sizes integer lots.
 */
import { BUY, SELL } from './adapters/engine';

export const OP_LIMIT = 0;
export const OP_CANCEL = 1;
export const OP_MARKET = 2;
export const OP_NAMES = ['limit', 'cancel', 'market'];

export interface WorkloadSpec {
  name: string;
  seed: number;
  midCents: number;
  tickCents: number;
  /** Mean distance of a passive order from the mid, in ticks (exponential). */
  meanTicks: number;
  prefill: number;
  ops: number;
}

export const DENSE: WorkloadSpec = {
  name: 'dense (tick 0.50 USD, mean 100 ticks)',
  seed: 20240603,
  midCents: 5_000_000,
  tickCents: 50,
  meanTicks: 100,
  prefill: 100_000,
  ops: 1_000_000,
};

export const SPARSE: WorkloadSpec = { ...DENSE, name: 'sparse (tick 0.01 USD, mean 5000 ticks)', tickCents: 1, meanTicks: 5000 };

const LIMIT_SHARE = 0.7;
const CANCEL_SHARE = 0.2;
const AGGRESSIVE_SHARE = 0.15;
const MAX_PASSIVE_LOTS = 10;
const MAX_TAKER_LOTS = 20;
/** Aggressive limits reach past the mid by an exponential distance with this mean, as a share of meanTicks. */
const AGGRESSIVE_REACH = 0.1;

/** Ops as columns: op i is (kind[i], side[i], price[i], lots[i], ref[i]). */
export interface Ops {
  length: number;
  kind: Uint8Array;
  side: Uint8Array;
  price: Int32Array;
  lots: Int32Array;
  /** Limit: index of its own id. Cancel: index of the target id. Market: -1. */
  ref: Int32Array;
}

export interface Workload {
  spec: WorkloadSpec;
  prefill: Ops;
  ops: Ops;
  /** Every limit order's id, by index; made up front so no engine pays for them. */
  ids: string[];
}

/** mulberry32: tiny, fast, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function newOps(n: number): Ops {
  return {
    length: n,
    kind: new Uint8Array(n),
    side: new Uint8Array(n),
    price: new Int32Array(n),
    lots: new Int32Array(n),
    ref: new Int32Array(n),
  };
}

export function generate(spec: WorkloadSpec): Workload {
  const rand = rng(spec.seed);
  const ids: string[] = [];
  const exp = (mean: number): number => -mean * Math.log(1 - rand());
  const passivePrice = (side: number): number => {
    const ticks = 1 + Math.floor(exp(spec.meanTicks));
    return spec.midCents + (side === BUY ? -ticks : ticks) * spec.tickCents;
  };
  const aggressivePrice = (side: number): number => {
    const ticks = 1 + Math.floor(exp(spec.meanTicks * AGGRESSIVE_REACH));
    return spec.midCents + (side === BUY ? ticks : -ticks) * spec.tickCents;
  };
  const putLimit = (ops: Ops, i: number, aggressive: boolean): void => {
    const side = rand() < 0.5 ? BUY : SELL;
    ops.kind[i] = OP_LIMIT;
    ops.side[i] = side;
    ops.price[i] = aggressive ? aggressivePrice(side) : passivePrice(side);
    ops.lots[i] = 1 + Math.floor(rand() * (aggressive ? MAX_TAKER_LOTS : MAX_PASSIVE_LOTS));
    ops.ref[i] = ids.length;
    ids.push(`o${ids.length}`);
  };

  const prefill = newOps(spec.prefill);
  for (let i = 0; i < spec.prefill; i++) putLimit(prefill, i, false);

  const ops = newOps(spec.ops);
  for (let i = 0; i < spec.ops; i++) {
    const r = rand();
    if (r < LIMIT_SHARE) {
      putLimit(ops, i, rand() < AGGRESSIVE_SHARE);
    } else if (r < LIMIT_SHARE + CANCEL_SHARE) {
      ops.kind[i] = OP_CANCEL;
      ops.ref[i] = Math.floor(rand() * ids.length);
    } else {
      ops.kind[i] = OP_MARKET;
      ops.side[i] = rand() < 0.5 ? BUY : SELL;
      ops.lots[i] = 1 + Math.floor(rand() * MAX_TAKER_LOTS);
      ops.ref[i] = -1;
    }
  }
  return { spec, prefill, ops, ids };
}

/** `count` passive orders only, for the memory figure. */
export function generateResting(spec: WorkloadSpec, count: number): Workload {
  return generate({ ...spec, prefill: count, ops: 0 });
}
