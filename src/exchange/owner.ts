/**
 * The owner's decision on one accept of its order: the single rule that makes an
 * overfill impossible. Only the owner runs it, one accept at a time in arrival order
 * (the event loop serialises them), and every fill it grants is published with the
 * order's new filled total before the next accept is decided.
 */
import type { OrderStatus } from './api';
import { freeOf } from './state';

/** Why an owner filled less than asked. Stable codes, shown to the taker. */
export const REFUSAL = {
  FILLED: 'ORDER_FILLED',
  CANCELLED: 'ORDER_CANCELLED',
  DEADLINE: 'DEADLINE_PASSED',
  OWN_ORDER: 'OWN_ORDER',
  /** Less (possibly nothing) was left than the accept asked for. */
  PARTIAL: 'PARTIAL_FILL',
  /** What is left is held by the owner's own accepts in flight. */
  RESERVED: 'RESERVED',
} as const;

export interface OwnedOrder {
  owner: string;
  amount: number;
  filled: number;
  status: OrderStatus;
}

export interface AcceptRequest {
  taker: string;
  amount: number;
  deadline: number;
}

export interface Decision {
  /** Sats granted now (0 = refused). */
  fill: number;
  /** Set whenever fill < requested. */
  reason?: string;
  /** The order's filled total and status after this decision. */
  filled: number;
  status: OrderStatus;
}

/**
 * `takerNowAtLeast` is the earliest the taker's clock can read now: our clock less the
 * clock bound. The deadline is on the taker's clock, so only once even that is past it
 * has the taker surely stopped waiting; refusing on our own clock alone would refuse
 * every accept of a taker whose clock runs behind ours by more than the accept timeout.
 */
export function decideAccept(order: OwnedOrder, reservedByOwner: number, req: AcceptRequest, takerNowAtLeast: number): Decision {
  const refuse = (reason: string): Decision => ({ fill: 0, reason, filled: order.filled, status: order.status });
  if (order.status === 'cancelled') return refuse(REFUSAL.CANCELLED);
  if (order.status === 'filled' || order.filled >= order.amount) return refuse(REFUSAL.FILLED);
  if (req.taker === order.owner) return refuse(REFUSAL.OWN_ORDER);
  if (takerNowAtLeast > req.deadline) return refuse(REFUSAL.DEADLINE);
  const free = freeOf(order, reservedByOwner);
  if (free <= 0) return refuse(REFUSAL.RESERVED);
  const fill = Math.min(free, req.amount);
  const filled = order.filled + fill;
  const decision: Decision = { fill, filled, status: filled === order.amount ? 'filled' : 'open' };
  if (fill < req.amount) decision.reason = REFUSAL.PARTIAL;
  return decision;
}
