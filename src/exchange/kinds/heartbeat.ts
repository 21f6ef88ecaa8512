/** `node.heartbeat`: a sign of life of its origin; carries nothing. */
import { KIND, parseHeartbeat } from '../events';
import type { KindHandler } from './types';

/** A heartbeat of a node with no open order here. */
export const NO_OPEN_ORDERS = 'NO_OPEN_ORDERS';

export const heartbeat: KindHandler<Record<string, never>> = {
  kind: KIND.heartbeat,
  parse: parseHeartbeat,
  // Only owners with open orders need to be seen alive: other heartbeats (throwaway keys
  // by the thousand) are not taken, relayed or synced.
  check: (ev, data, st) => (st === null || st.ledger.openCountOf(ev.origin) > 0 ? data : NO_OPEN_ORDERS),
  apply(ev, _data, st) {
    st.liveness.heartbeat(ev.origin, ev.ts, ev.raw, ev.id);
    // Heartbeats are not order events: not stored, passed on in sync by liveness.
    return false;
  },
};
