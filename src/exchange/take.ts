/**
 * One take: an accept we sent, from the moment it leaves to the moment its outcome is
 * known — the owner's answer, or proof that none can come. One object owns the whole
 * life (its reservation, its timers, late answers), as Bisq's take protocol does.
 *
 *   waiting ──answer──────────────────────────────▶ done
 *      │ caller stops waiting (outcome unknown: reported as pending)
 *      ▼
 *   unknown ──late answer──▶ done (a grant is booked: accept.late)
 *      │ deadline + 2 × clock bound + late hold, no answer
 *      ▼
 *   lapsed (done; nothing will be granted any more)
 *
 * The owner refuses an accept once its clock less the clock bound is past the deadline
 * (so a taker whose clock runs behind the owner's is still answered), and its clock is
 * within the bound of ours, so after deadline + 2 × bound no new grant can be decided;
 * the late hold covers one still in transit. Until then the amount stays
 * reserved against the order we took from (we never ask for it twice). What it holds of
 * our own order depends on why we took:
 * - 'accept' (an explicit acceptOrder): nothing of ours.
 * - 'place' (a leg of a placement): nothing — the placement does not rest the pending
 *   amount at all until the outcome is known (then it rests what was not granted), so
 *   an unknown leg never freezes an order of ours against other takers.
 * - 'crossing' (our resting order takes an older one): that much of our order while we
 *   wait for the answer; released when we stop waiting (a grant landing later is booked
 *   if our order still has room; see docs/ARCHITECTURE.md).
 */
import type { Clock, TimerHandle } from '../clock/clock';
import type { PendingTake, TradeView } from './api';
import type { ExchangeState } from './state';

export type TakeMode = 'accept' | 'place' | 'crossing';

/** Why a take ended without a grant, beside the owner's own reasons. */
export const TAKE_OUTCOME = {
  /** The owner had not answered when the caller stopped waiting; a grant may still come. */
  UNKNOWN: 'OUTCOME_UNKNOWN',
  /** The node is closing: nothing more will be learned. */
  CLOSED: 'NODE_CLOSING',
} as const;

export interface TakeResult {
  acceptId: string;
  orderId: string;
  requested: number;
  filled: number;
  trade: TradeView | null;
  reason?: string;
  /** Set when the outcome is unknown (reason OUTCOME_UNKNOWN). */
  pending?: PendingTake;
}

/** A grant that arrived after the caller was told the outcome was unknown. */
export interface LateFill {
  acceptId: string;
  orderId: string;
  requested: number;
  forOrder: string | null;
  amount: number;
  /** How much of it our own order took on (crossing takes; the whole grant otherwise). */
  booked: number;
}

export interface TakeDeps {
  clock: Clock;
  st: ExchangeState;
  acceptTimeoutMs: number;
  clockBoundMs: number;
  lateHoldMs: number;
  /** Publishes our accept; returns its event id. */
  sendAccept(orderId: string, amount: number, deadline: number): string;
  /** Books a fill of our order `forOrder` that took `amount` in trade `acceptId`; returns what it took on. */
  bookFill(forOrder: string, acceptId: string, amount: number): number;
  /** A late grant landed. */
  lateFill(f: LateFill): void;
  /** A take's hold ended with no grant: what it held back is free again. */
  holdEnded(): void;
  /** The owner of `orderId` let our accept run out (it will cool down). */
  unanswered(orderId: string): void;
}

export class Take {
  state: 'waiting' | 'unknown' | 'done' = 'waiting';
  readonly acceptId: string;
  readonly deadline: number;
  /** After this no grant is booked any more (deadline + 2 × clock bound + late hold). */
  readonly until: number;
  /** The answer, or OUTCOME_UNKNOWN once the wait (deadline + clock bound) is over. */
  readonly result: Promise<TakeResult>;
  /** For 'place' takes: called once with what was not granted, when that is known. */
  onUnfilled: ((amount: number) => void) | null = null;
  private resolve!: (r: TakeResult) => void;
  private timer: TimerHandle | null;

  constructor(
    private readonly takes: Takes,
    readonly orderId: string,
    readonly requested: number,
    readonly mode: TakeMode,
    readonly forOrder: string | null,
  ) {
    const d = takes.deps;
    this.deadline = d.clock.now() + d.acceptTimeoutMs;
    // The owner grants until its clock, less the bound, passes the deadline: on ours that
    // is at most deadline + two bounds.
    this.until = this.deadline + 2 * d.clockBoundMs + d.lateHoldMs;
    this.result = new Promise((r) => (this.resolve = r));
    this.acceptId = d.sendAccept(orderId, requested, this.deadline);
    d.st.reservations.add({ acceptId: this.acceptId, orderId, forOrder: mode === 'crossing' ? forOrder : null, amount: requested });
    this.timer = d.clock.setTimeout(() => this.stopWaiting(), d.acceptTimeoutMs + d.clockBoundMs);
  }

  /** Resolves with the outcome, or null if it is not known within `ms` (the caller moves on). */
  within(ms: number): Promise<TakeResult | null> {
    if (this.state !== 'waiting') return this.result;
    return new Promise((resolve) => {
      const t = this.takes.deps.clock.setTimeout(() => {
        if (this.state === 'waiting') this.markUnknown();
        resolve(null);
      }, ms);
      void this.result.then((r) => {
        this.takes.deps.clock.clearTimeout(t);
        resolve(r);
      });
    });
  }

  /** The view of this take for a reply whose outcome is unknown. */
  pending(): PendingTake {
    return { acceptId: this.acceptId, orderId: this.orderId, requested: this.requested, until: this.until, forOrder: this.forOrder };
  }

  /** @internal The owner answered: `amount` granted (0 = refused). */
  answered(amount: number, trade: TradeView | null, reason: string | undefined): void {
    if (this.state === 'done') return;
    const d = this.takes.deps;
    const late = this.state === 'unknown';
    let booked = amount;
    // Release the reservation and book our order's fill in this same turn: an accept of
    // that order decided next must see the new filled total, never the freed amount alone.
    d.st.reservations.release(this.acceptId);
    if (amount > 0 && this.mode === 'crossing' && this.forOrder) booked = d.bookFill(this.forOrder, this.acceptId, amount);
    this.finish();
    if (late) {
      if (amount > 0) {
        this.takes.counts.landed++;
        d.lateFill({ acceptId: this.acceptId, orderId: this.orderId, requested: this.requested, forOrder: this.forOrder, amount, booked });
      }
      this.onUnfilled?.(this.requested - amount);
      return;
    }
    const r: TakeResult = { acceptId: this.acceptId, orderId: this.orderId, requested: this.requested, filled: amount, trade };
    if (reason !== undefined && amount < this.requested) r.reason = reason;
    this.resolve(r);
  }

  /** @internal The node is closing. */
  close(): void {
    if (this.state === 'waiting') {
      this.resolve({ acceptId: this.acceptId, orderId: this.orderId, requested: this.requested, filled: 0, trade: null, reason: TAKE_OUTCOME.CLOSED });
    }
    this.finish();
  }

  /** The caller stops waiting: from now on the outcome is reported as unknown. */
  private markUnknown(): void {
    this.state = 'unknown';
    this.takes.counts.unknown++;
    const d = this.takes.deps;
    d.unanswered(this.orderId);
    // A crossing take stops holding our own order: it must not stay frozen against
    // other takers while an answer may never come (see the file comment).
    if (this.mode === 'crossing') {
      d.st.reservations.release(this.acceptId);
      d.st.reservations.add({ acceptId: this.acceptId, orderId: this.orderId, forOrder: null, amount: this.requested });
    }
    this.resolve({
      acceptId: this.acceptId,
      orderId: this.orderId,
      requested: this.requested,
      filled: 0,
      trade: null,
      reason: TAKE_OUTCOME.UNKNOWN,
      pending: this.pending(),
    });
  }

  /** Deadline + clock bound: we stop waiting; a grant may still be decided until deadline + 2 × bound, and be in transit for the late hold after that. */
  private stopWaiting(): void {
    if (this.state === 'waiting') this.markUnknown();
    const d = this.takes.deps;
    this.timer = d.clock.setTimeout(() => this.lapse(), Math.max(0, this.until - d.clock.now()));
  }

  private lapse(): void {
    if (this.state === 'done') return;
    this.timer = null;
    this.takes.counts.lapsed++;
    this.finish();
    this.onUnfilled?.(this.requested);
    this.takes.deps.holdEnded();
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.takes.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.takes.ended(this);
  }
}

/** Every take of ours not yet done, by accept id. */
export class Takes {
  readonly counts = { unknown: 0, landed: 0, lapsed: 0 };
  private readonly open = new Map<string, Take>();
  private idle: Array<() => void> = [];

  constructor(readonly deps: TakeDeps) {}

  /** Sends an accept for `amount` sats of `orderId`; `forOrder` is our order taking it (crossing). */
  start(orderId: string, amount: number, mode: TakeMode, forOrder: string | null = null): Take {
    const t = new Take(this, orderId, amount, mode, forOrder);
    this.open.set(t.acceptId, t);
    return t;
  }

  get(acceptId: string): Take | undefined {
    return this.open.get(acceptId);
  }

  /** The owner answered one of our accepts. */
  answered(acceptId: string, amount: number, trade: TradeView | null, reason: string | undefined): void {
    this.open.get(acceptId)?.answered(amount, trade, reason);
  }

  /**
   * An order we are taking from changed. Once it is closed and every grant of it is
   * known here, an accept of ours it never answered was not granted: the owner does not
   * answer accepts of closed orders (its final state is public).
   */
  orderChanged(orderId: string): void {
    const rec = this.deps.st.ledger.get(orderId);
    if (!rec || rec.status === 'open' || !this.deps.st.ledger.fullyAccounted(rec)) return;
    const reason = rec.status === 'cancelled' ? 'ORDER_CANCELLED' : 'ORDER_FILLED';
    for (const t of [...this.open.values()]) {
      if (t.orderId === orderId && !rec.answered.has(t.acceptId)) t.answered(0, null, reason);
    }
  }

  /** Takes not done: waiting, or unknown with a grant still possible. */
  get pending(): number {
    return this.open.size;
  }

  /** Resolves once no take is open. */
  settled(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close(): void {
    for (const t of [...this.open.values()]) t.close();
  }

  /** @internal */
  ended(t: Take): void {
    this.open.delete(t.acceptId);
    this.deps.st.reservations.release(t.acceptId);
    if (this.open.size === 0) for (const f of this.idle.splice(0)) f();
  }
}
