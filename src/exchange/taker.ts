/**
 * The taker's half of the owner rule: send an accept, hold the reservation, and
 * resolve once the owner answers — or, if it never does, once the deadline plus the
 * clock bound has passed (after that the owner must refuse it, so letting go of the
 * reservation cannot cause an overfill).
 */
import type { TradeView } from './api';
import { KIND, type AcceptData } from './events';
import type { Reservations } from './reservations';

export const TAKER_REFUSAL = {
  TIMEOUT: 'OWNER_NOT_ANSWERING',
  CLOSED: 'NODE_CLOSING',
} as const;

export interface AcceptOutcome {
  acceptId: string;
  orderId: string;
  requested: number;
  filled: number;
  trade: TradeView | null;
  reason?: string;
}

export interface TakerDeps {
  publish(kind: string, data: Record<string, unknown>): { id: string };
  now(): number;
  reservations: Reservations;
  acceptTimeoutMs: number;
  clockBoundMs: number;
}

interface Waiter {
  resolve(o: AcceptOutcome): void;
  timer: NodeJS.Timeout;
  outcome: Omit<AcceptOutcome, 'filled' | 'trade' | 'reason'>;
}

export class Taker {
  private readonly waiting = new Map<string, Waiter>();
  private readonly idle: Array<() => void> = [];

  constructor(private readonly deps: TakerDeps) {}

  /** Asks the owner of `orderId` for `amount` sats; `forOrder` is our order taking it, if any. */
  send(orderId: string, amount: number, forOrder: string | null): Promise<AcceptOutcome> {
    const deadline = this.deps.now() + this.deps.acceptTimeoutMs;
    const data: AcceptData = { order: orderId, amount, deadline };
    const ev = this.deps.publish(KIND.accept, data as unknown as Record<string, unknown>);
    const waitMs = this.deps.acceptTimeoutMs + this.deps.clockBoundMs;
    this.deps.reservations.add({ acceptId: ev.id, orderId, forOrder, amount, expiresAt: deadline + this.deps.clockBoundMs });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(ev.id, 0, null, TAKER_REFUSAL.TIMEOUT), waitMs);
      this.waiting.set(ev.id, { resolve, timer, outcome: { acceptId: ev.id, orderId, requested: amount } });
    });
  }

  /** True when `acceptId` is one of ours still waiting. */
  isWaiting(acceptId: string): boolean {
    return this.waiting.has(acceptId);
  }

  /** The owner answered one of our accepts. */
  answered(acceptId: string, filled: number, trade: TradeView | null, reason?: string): void {
    this.finish(acceptId, filled, trade, reason);
  }

  get pending(): number {
    return this.waiting.size;
  }

  /** Resolves once no accept of ours is waiting. */
  settled(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Gives up on every wait (the node is closing). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, 0, null, TAKER_REFUSAL.CLOSED);
  }

  private finish(acceptId: string, filled: number, trade: TradeView | null, reason?: string): void {
    const w = this.waiting.get(acceptId);
    if (!w) return;
    this.waiting.delete(acceptId);
    clearTimeout(w.timer);
    this.deps.reservations.release(acceptId);
    const outcome: AcceptOutcome = { ...w.outcome, filled, trade };
    if (reason !== undefined && filled < w.outcome.requested) outcome.reason = reason;
    w.resolve(outcome);
    if (this.waiting.size === 0) for (const f of this.idle.splice(0)) f();
  }
}
