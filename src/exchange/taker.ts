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
  /**
   * After we stop waiting, the accept's amount stays reserved this much longer (a
   * "late hold"): a grant decided in time may still be on its way, and until it comes
   * neither we (re-taking the same liquidity) nor others (taking our order) may use it.
   */
  lateHoldMs: number;
  /** A late hold ended unanswered: what it held back is free again (crossings may resolve). */
  holdEnded(): void;
}

interface Waiter {
  resolve(o: AcceptOutcome): void;
  timer: NodeJS.Timeout;
  forOrder: string | null;
  outcome: Omit<AcceptOutcome, 'filled' | 'trade' | 'reason'>;
}

/** An accept we stopped waiting for: if the owner's grant still arrives, it is booked late. */
export interface LateAccept {
  acceptId: string;
  orderId: string;
  requested: number;
  /** Our order the grant fills: the crossing order we took for, or what a placement rested. */
  forOrder: string | null;
  /** Ends the late hold (its reservation) when no answer came. */
  timer: NodeJS.Timeout;
}

/** How many given-up accepts are remembered for late answers (oldest forgotten first). */
const MAX_LATE = 10_000;

export class Taker {
  private readonly waiting = new Map<string, Waiter>();
  private readonly late = new Map<string, LateAccept>();
  private readonly idle: Array<() => void> = [];

  constructor(private readonly deps: TakerDeps) {}

  /** Asks the owner of `orderId` for `amount` sats; `forOrder` is our order taking it, if any. */
  send(orderId: string, amount: number, forOrder: string | null): Promise<AcceptOutcome> {
    const deadline = this.deps.now() + this.deps.acceptTimeoutMs;
    const data: AcceptData = { order: orderId, amount, deadline };
    const ev = this.deps.publish(KIND.accept, data as unknown as Record<string, unknown>);
    const waitMs = this.deps.acceptTimeoutMs + this.deps.clockBoundMs;
    this.deps.reservations.add({ acceptId: ev.id, orderId, forOrder, amount });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(ev.id, 0, null, TAKER_REFUSAL.TIMEOUT), waitMs);
      this.waiting.set(ev.id, { resolve, timer, forOrder, outcome: { acceptId: ev.id, orderId, requested: amount } });
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

  /** Takes the record of a given-up accept, if any (each is booked at most once). */
  takeLate(acceptId: string): LateAccept | undefined {
    const l = this.late.get(acceptId);
    if (l) this.dropLate(l);
    return l;
  }

  /** A placement rested its remainder as `orderId`: late grants of its accepts fill it. */
  attachLate(acceptIds: string[], orderId: string): void {
    for (const id of acceptIds) {
      const l = this.late.get(id);
      const r = this.deps.reservations.release(id);
      if (!l || !r) continue;
      l.forOrder = orderId;
      // The late hold now also holds back that much of the rested order.
      this.deps.reservations.add({ ...r, forOrder: orderId });
    }
  }

  private dropLate(l: LateAccept): void {
    clearTimeout(l.timer);
    this.late.delete(l.acceptId);
    this.deps.reservations.release(l.acceptId);
    this.wake();
  }

  /** Accepts waiting for an answer, plus late holds (an answer may still come). */
  get pending(): number {
    return this.waiting.size + this.late.size;
  }

  /** Resolves once no accept of ours is waiting and no late hold is open. */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private wake(): void {
    if (this.pending === 0) for (const f of this.idle.splice(0)) f();
  }

  /** Gives up on every wait (the node is closing). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, 0, null, TAKER_REFUSAL.CLOSED);
    for (const l of [...this.late.values()]) this.dropLate(l);
  }

  private finish(acceptId: string, filled: number, trade: TradeView | null, reason?: string): void {
    const w = this.waiting.get(acceptId);
    if (!w) return;
    this.waiting.delete(acceptId);
    clearTimeout(w.timer);
    if (reason === TAKER_REFUSAL.TIMEOUT) {
      // The owner decides before the deadline, but its answer can still be on its way:
      // keep the reservation as a late hold (see lateHoldMs).
      if (this.late.size >= MAX_LATE) this.dropLate(this.late.values().next().value as LateAccept);
      const timer = setTimeout(() => {
        this.dropLate(late);
        this.deps.holdEnded();
      }, this.deps.lateHoldMs);
      timer.unref();
      const late: LateAccept = { acceptId, orderId: w.outcome.orderId, requested: w.outcome.requested, forOrder: w.forOrder, timer };
      this.late.set(acceptId, late);
    } else {
      this.deps.reservations.release(acceptId);
    }
    const outcome: AcceptOutcome = { ...w.outcome, filled, trade };
    if (reason !== undefined && filled < w.outcome.requested) outcome.reason = reason;
    w.resolve(outcome);
    this.wake();
  }
}
