/**
 * Event floods (issue 11): valid, signed `order.add` events written as fast as the
 * victim's socket drains. Either all from one origin key (its origin budget refuses
 * them at the first hop, and the link that carries them is dropped and banned), or each
 * from a fresh key (every one is within its origin's budget: only the link budget stands
 * in the way). Prices rest far above the honest market, so nothing crosses.
 */
import { randomBytes } from 'node:crypto';
import { Identity } from '../src/identity/identity';
import { signEvent } from '../src/gossip/event';
import { floodOverLinks, type Attack, type AttackContext, type Counts } from './adversary-attack';
import { ATTACK_PRICE_MIN, LOT } from './adversary-market';
import { eventFrame } from './adversary-peer';

function addData(i: number): Record<string, unknown> {
  return { side: 'sell', price: ATTACK_PRICE_MIN + (i % 100_000), amount: LOT };
}

/** 20,000-and-counting adds from one key, over as many links as it takes. */
export function floodOneKey(): Attack {
  const origin = Identity.generate();
  return {
    async run(ctx: AttackContext): Promise<Counts> {
      const counts: Counts = {};
      let i = 0;
      await floodOverLinks(ctx, () => eventFrame(signEvent(origin, 'order.add', addData(i++), Date.now(), randomBytes(16))), counts);
      return counts;
    },
  };
}

/** Adds each from a key of its own, over as many links as it takes. */
export function floodFreshKeys(): Attack {
  return {
    async run(ctx: AttackContext): Promise<Counts> {
      const counts: Counts = {};
      let i = 0;
      await floodOverLinks(ctx, () => eventFrame(signEvent(Identity.generate(), 'order.add', addData(i++), Date.now(), randomBytes(16))), counts);
      return counts;
    },
  };
}
