/**
 * Accept spam (issue 11): `order.accept` events for one sat of the victim's orders, as
 * fast as its socket drains — half of them for an order already filled (the owner owes
 * no answer), half for a large open one (every answer is a signed confirm the owner
 * publishes to the whole network). From one taker key (its origin budget and the owner's
 * per-taker allowance stand in the way) or from a fresh key per accept (only the link
 * budget does).
 */
import { randomBytes } from 'node:crypto';
import { Identity } from '../src/identity/identity';
import { signEvent } from '../src/gossip/event';
import { floodOverLinks, type Attack, type AttackContext, type Counts } from './adversary-attack';
import { eventFrame } from './adversary-peer';

/** The deadline an honest taker gives (the default accept timeout). */
const DEADLINE_MS = 5_000;

function spam(fresh: boolean): Attack {
  const taker = Identity.generate();
  return {
    async run(ctx: AttackContext): Promise<Counts> {
      const targets = [ctx.params.openOrder, ctx.params.filledOrder];
      const counts: Counts = {};
      let i = 0;
      const frame = (): Buffer => {
        const order = targets[i++ % 2];
        const now = Date.now();
        return eventFrame(signEvent(fresh ? Identity.generate() : taker, 'order.accept', { order, amount: 1, deadline: now + DEADLINE_MS }, now, randomBytes(16)));
      };
      await floodOverLinks(ctx, frame, counts);
      return counts;
    },
  };
}

export const acceptSpamOneKey = (): Attack => spam(false);
export const acceptSpamFreshKeys = (): Attack => spam(true);
