/**
 * What the matching benchmark needs from an engine. One small adapter per engine
 * translates the shared workload (prices in cents, sizes in integer lots) into that
 * engine's API and reports results in lots, so both can be fingerprinted alike.
 */
export const BUY = 0;
export const SELL = 1;

export interface RestingSummary {
  orders: number;
  lots: number;
  /** Order-independent hash over (id, price, lots) of every resting order. */
  hash: number;
}

export interface EngineAdapter {
  readonly name: string;
  /** A limit order; any remainder rests under `id`. Returns the lots filled. */
  limit(side: number, id: string, price: number, lots: number, seq: number): number;
  /** A market order; never rests. Returns the lots filled. */
  market(side: number, lots: number, seq: number): number;
  /** Returns whether the id was resting. */
  cancel(id: string): boolean;
  summary(): RestingSummary;
}

export type EngineFactory = () => EngineAdapter;

/** Commutative per-order hash, so engines may list their orders in any order. */
export function orderHash(id: string, price: number, lots: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ price, 0x01000193);
  h = Math.imul(h ^ lots, 0x01000193);
  return h >>> 0;
}
