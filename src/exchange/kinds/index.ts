/**
 * The order-event kinds of the protocol, one handler each (docs/PROTOCOL.md, "Order
 * events"). An event of any other kind is refused with UNKNOWN_KIND and not relayed.
 */
import { accept } from './accept';
import { add } from './add';
import { cancel } from './cancel';
import { confirm } from './confirm';
import { fill } from './fill';
import { heartbeat } from './heartbeat';
import { refresh } from './refresh';
import type { KindHandler } from './types';

export const KINDS: ReadonlyMap<string, KindHandler<unknown, unknown>> = new Map(
  [add, accept, confirm, fill, cancel, heartbeat, refresh].map((k) => [k.kind, k as unknown as KindHandler<unknown, unknown>]),
);

export { INVALID } from './types';
export type { Arrival, Effects, KindHandler, OpenSigned, SignedEvent } from './types';
