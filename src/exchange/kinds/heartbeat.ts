/** `node.heartbeat`: a sign of life of its origin; carries nothing. */
import { KIND, parseHeartbeat } from '../events';
import type { KindHandler } from './types';

export const heartbeat: KindHandler<Record<string, never>> = {
  kind: KIND.heartbeat,
  parse: parseHeartbeat,
  check: (_ev, data) => data,
  apply(ev, _data, st) {
    st.liveness.heartbeat(ev.origin, ev.ts, ev.raw, ev.id);
    // Heartbeats are not order events: not stored, passed on in sync by liveness.
    return false;
  },
};
