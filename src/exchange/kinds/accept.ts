/** `order.accept`: the origin (taker) asks the owner for `amount` sats of `order`. */
import { KIND, parseAccept, type AcceptData } from '../events';
import { INVALID, type KindHandler } from './types';

/** An accept's deadline must fall within this long after the accept itself. */
export const MAX_ACCEPT_WINDOW_MS = 60_000;
/**
 * The smallest take of an order that has more left than that: 0.0001 BTC. Each answer
 * costs its owner a signed, durable, gossiped event; a stream of one-sat takes from
 * fresh keys (free) would buy that for nothing (issue 11). Taking all that is left is
 * always allowed, however little.
 */
export const MIN_TAKE_SATS = 10_000;
/** An accept of an order already filled or cancelled: nobody needs it (the final state is public). */
export const ORDER_CLOSED = 'ORDER_CLOSED';
/** An accept below MIN_TAKE_SATS of an order with more left: not answered, not relayed. */
export const DUST_ACCEPT = 'DUST_ACCEPT';

/** Is taking `amount` of an order with `left` sats left a dust take? */
export function isDust(amount: number, left: number): boolean {
  return amount < MIN_TAKE_SATS && amount < left;
}

export const accept: KindHandler<AcceptData> = {
  kind: KIND.accept,
  parse: parseAccept,
  check(ev, data, st) {
    // A deadline before the accept was made, or far after it, is no accept of ours:
    // such events only cost owners an answer each.
    if (data.deadline < ev.ts || data.deadline > ev.ts + MAX_ACCEPT_WINDOW_MS) return INVALID.DEADLINE;
    const rec = st?.ledger.get(data.order);
    if (rec && data.amount > rec.amount) return INVALID.TOO_LARGE;
    if (rec && rec.owner === ev.origin) return INVALID.OWN_ORDER;
    if (rec && rec.status !== 'open' && !rec.disputed) return ORDER_CLOSED;
    if (rec && isDust(data.amount, rec.amount - rec.filled)) return DUST_ACCEPT;
    return data;
  },
  apply(ev, data, st, fx, arrival) {
    const rec = st.ledger.get(data.order);
    if (!rec) {
      // An accept of an order of ours we pruned: its taker still holds it open.
      const gone = arrival.via === 'gossip' ? st.ledger.goneMineToRestate(data.order) : undefined;
      if (gone) fx.restate(gone);
      return false;
    }
    st.ledger.noteAccept(rec, ev);
    // Only live accepts are answered: one from a sync or the store may already have been
    // answered by a confirm we have not seen yet (a restarted owner gets an order's
    // history back accept-before-confirm), and answering it again could grant it twice.
    if (rec.owner === st.me && arrival.via === 'gossip') fx.answer(rec, ev, data);
    return true;
  },
};
