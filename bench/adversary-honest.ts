/**
 * The honest trading measured before and during each attack: the maker places an ask
 * of TAKES_PER_ORDER lots, a taker that has seen it takes one lot at a time with
 * accept(), and each accept's round trip (accept() called → resolved: the owner's
 * answer received) is one sample. Both takers run at once, each paced to stay within
 * the budgets every node applies to honest traffic too (docs/POLICY.md).
 */
import { performance } from 'node:perf_hooks';
import { ExchangeError } from '../src/exchange/api';
import type { Exchange } from '../src/exchange/exchange';
import { pause, seen, type Honest } from './adversary-cluster';
import { HONEST_PRICE, LOT } from './adversary-market';

/**
 * Takes per order: an owner answers at most 5 accepts of one order from one taker a
 * minute (MAX_ANSWERS_PER_TAKER), so an order is taken 5 times and replaced.
 */
export const TAKES_PER_ORDER = 5;
/**
 * One accept per taker every 125 ms (8/s): under a taker's origin accept budget of 10/s,
 * and two takers need 16 / 5 = 3.2 new orders a second, under the maker's 5/s.
 */
export const TAKE_PERIOD_MS = 125;
/** An order the taker has not seen by then counts as a failed trade (its add was lost or refused). */
const SEEN_TIMEOUT_MS = 5_000;

export interface Sample {
  phase: string;
  /** accept() round trip, ms (a failed take counts with the time it took to fail). */
  ms: number;
  /** The lot was granted. */
  ok: boolean;
  reason?: string;
}

export class HonestTrades {
  readonly samples: Sample[] = [];
  phase = 'warmup';
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly honest: Honest) {}

  start(phase: string): void {
    this.phase = phase;
    this.running = true;
    this.loops = this.honest.takers.map((t) => this.loop(t));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  of(phase: string): Sample[] {
    return this.samples.filter((s) => s.phase === phase);
  }

  private async loop(taker: Exchange): Promise<void> {
    const maker = this.honest.maker;
    while (this.running) {
      const placed = await maker.place({ side: 'sell', price: HONEST_PRICE, amount: TAKES_PER_ORDER * LOT });
      const id = placed.order?.id;
      if (!id) throw new Error('the honest ask did not rest');
      if (!(await seen(taker, id, SEEN_TIMEOUT_MS))) {
        this.samples.push({ phase: this.phase, ms: SEEN_TIMEOUT_MS, ok: false, reason: 'ORDER_NOT_SEEN' });
      } else {
        for (let k = 0; k < TAKES_PER_ORDER && this.running; k++) {
          const phase = this.phase;
          const t0 = performance.now();
          let ok = false;
          let reason: string | undefined;
          try {
            const r = await taker.accept(id, LOT);
            ok = r.filled === LOT;
            reason = r.reason;
          } catch (err) {
            reason = err instanceof ExchangeError ? err.code : String(err);
          }
          const ms = performance.now() - t0;
          this.samples.push({ phase, ms, ok, ...(ok ? {} : { reason }) });
          if (ms < TAKE_PERIOD_MS) await pause(TAKE_PERIOD_MS - ms);
        }
      }
      // Whatever was not taken goes, so the maker stays far below its open-order cap.
      const left = maker.order(id);
      if (left && left.status === 'open') await maker.cancel(id).catch(() => undefined);
    }
  }
}
