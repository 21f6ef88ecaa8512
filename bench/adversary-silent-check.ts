/**
 * The silent maker's target (issue 11): "after a silent maker's first timeout, honest
 * orders at its price trade within 1 s". A taker's buy at the silent ask's price waits
 * one accept timeout on it (place() returns with the leg pending); then, repeatedly, the
 * maker rests an ask at that price and the taker buys it. Measured: how long the first
 * place took, how long after it the first honest trade at that price landed, and the
 * slowest of the honest pairs.
 */
import { performance } from 'node:perf_hooks';
import type { Attacker } from './adversary-attacker';
import { seen, type Honest } from './adversary-cluster';
import { LOT, SILENT_PRICE } from './adversary-market';

/** Honest ask/buy pairs at the silent price after the first timeout. */
const PAIRS = 5;
const SEEN_TIMEOUT_MS = 5_000;

export interface SilentFigures {
  /** The first buy's place(): about one accept timeout, the leg on the silent ask left pending. */
  firstPlaceMs: number;
  firstPending: number;
  /** From that place() returning to the first honest trade at the silent price. */
  firstTradeAfterMs: number;
  /** Slowest place() of the honest pairs, and how many of them traded in full. */
  slowestPairMs: number;
  pairsTraded: number;
  pairs: number;
}

export async function silentScenario(honest: Honest, attacker: Attacker): Promise<SilentFigures> {
  const { maker, takers } = honest;
  const buyer = takers[1];
  const silentId = (await attacker.posted('posted')) as string;
  if (!(await seen(buyer, silentId, SEEN_TIMEOUT_MS))) throw new Error('the silent ask never reached the buyer');
  let t0 = performance.now();
  const first = await buyer.place({ side: 'buy', price: SILENT_PRICE, amount: LOT });
  const timedOutAt = performance.now();
  const firstPlaceMs = timedOutAt - t0;
  let firstTradeAfterMs = NaN;
  let slowestPairMs = 0;
  let pairsTraded = 0;
  for (let i = 0; i < PAIRS; i++) {
    const ask = await maker.place({ side: 'sell', price: SILENT_PRICE, amount: LOT });
    if (!ask.order || !(await seen(buyer, ask.order.id, SEEN_TIMEOUT_MS))) continue;
    t0 = performance.now();
    const buy = await buyer.place({ side: 'buy', price: SILENT_PRICE, amount: LOT });
    const end = performance.now();
    slowestPairMs = Math.max(slowestPairMs, end - t0);
    if (buy.filled === LOT) {
      pairsTraded++;
      if (Number.isNaN(firstTradeAfterMs)) firstTradeAfterMs = end - timedOutAt;
    } else if (buy.order) {
      await buyer.cancel(buy.order.id).catch(() => undefined);
    }
  }
  return { firstPlaceMs, firstPending: first.pending.length, firstTradeAfterMs, slowestPairMs, pairsTraded, pairs: PAIRS };
}
