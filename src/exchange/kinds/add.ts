/** `order.add`: a new resting order. Its id is the event id; its owner the event's origin. */
import { BookError } from '../../book/errors';
import { MAX_ORDER_AGE_MS } from '../currency';
import { KIND, parseAdd, type AddData } from '../events';
import type { ExchangeState } from '../state';
import type { Arrival, Effects, KindHandler, SignedEvent } from './types';

/**
 * Puts an order into the ledger and the book. Returns whether it is new. An order of
 * ours we pruned, offered back by a peer, means that peer still holds it open: we
 * restate its final state.
 */
export function learnOrder(ev: SignedEvent, data: AddData, st: ExchangeState, fx: Effects, arrival: Arrival): boolean {
  try {
    if (!st.ledger.add(ev, data)) {
      const gone = ev.origin === st.me && arrival.from !== null ? st.ledger.goneMineToRestate(ev.id) : undefined;
      if (gone) fx.restate(gone);
      return false;
    }
  } catch (err) {
    // The book refuses a price level past its bound (absurd sizes only).
    if (!(err instanceof BookError)) throw err;
    fx.refused(ev, err.code, err.message);
    return false;
  }
  fx.learned(st.ledger.get(ev.id)!, arrival);
  return true;
}

/** Its owner already has its cap of open orders, all older than this one. */
export const TOO_MANY_ORDERS = 'TOO_MANY_ORDERS';
/** Placed more than MAX_ORDER_AGE_MS ago: not current anywhere. */
export const ORDER_TOO_OLD = 'ORDER_TOO_OLD';

export const add: KindHandler<AddData> = {
  kind: KIND.add,
  parse: parseAdd,
  // Shape and bounds are the declaration's (events.ts). With state: its owner's cap of
  // open orders (the smallest ids are kept), and no order older than a month is current.
  check(ev, data, st) {
    if (st === null) return data;
    if (st.clock.now() - ev.ts > MAX_ORDER_AGE_MS) return ORDER_TOO_OLD;
    if (!st.ledger.get(ev.id) && st.ledger.overCap(ev.origin, ev.id)) return TOO_MANY_ORDERS;
    return data;
  },
  apply: (ev, data, st, fx, arrival) => learnOrder(ev, data, st, fx, arrival),
};
