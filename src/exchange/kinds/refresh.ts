/**
 * `order.refresh`: an owner vouches, now, for its open orders (currency.ts). Kept as
 * each owner's latest (like heartbeats: in memory, passed on in sync before the orders
 * it vouches for), never stored.
 */
import { uuidV7Time } from '../../wire/event-body';
import { KIND, parseRefresh, type RefreshData } from '../events';
import type { KindHandler } from './types';

/** A refresh listing an order from its future, or one order twice: not a refresh anyone honest signs. */
export const BAD_REFRESH = 'BAD_REFRESH';

export const refresh: KindHandler<RefreshData> = {
  kind: KIND.refresh,
  parse: parseRefresh,
  check(ev, data) {
    if (new Set(data.orders).size !== data.orders.length) return BAD_REFRESH;
    for (const id of data.orders) if (uuidV7Time(id) > ev.ts) return BAD_REFRESH;
    return data;
  },
  apply(ev, data, st, fx) {
    const ids = st.vouches.record(ev.origin, ev.ts, data.orders, ev.raw);
    if (ids) fx.vouched(ev.origin, ids);
    return false;
  },
};
