/**
 * Everything an owner publishes about its own orders: new orders, answers to accepts,
 * fills of its own taking orders, cancels, restatements. Each goes out through the
 * pipeline, which applies it to our own state before any byte is sent, so the next
 * accept the owner decides already sees the new total.
 */
import type { Logger } from '../log/logger';
import type { Side } from './api';
import { KIND, type AcceptData, type AddData, type CancelData, type ConfirmData, type FillData, type OwnerUpdateData } from './events';
import type { EventMeta, GoneOrder, OrderRecord } from './order-ledger';
import { BoundedMap } from '../limits/bounded-map';
import { TokenBucket } from '../limits/token-bucket';
import { decideAccept } from './owner';
import { OwnBudgetSpent } from './pipeline';
import type { ExchangeState } from './state';

type Publish = (kind: string, data: Record<string, unknown>) => EventMeta;

/**
 * Accepts of one order from one taker that the owner answers per ANSWER_WINDOW_MS. An
 * honest taker asks a few times at most (a placement, then up to three crossing
 * retries); each answer is a signed, durable, gossiped event, so 300 accepts must not
 * cost the owner — and every node — 300 of them (issue 11). The rest get no answer; the
 * taker's deadline ends them.
 */
export const MAX_ANSWERS_PER_TAKER = 5;
export const ANSWER_WINDOW_MS = 60_000;
/** (taker, order) pairs remembered: bounded against fresh keys. */
const MAX_PAIRS = 10_000;
/**
 * Answers an owner publishes, all orders and takers together: each is a signed event
 * committed to disk (a few ms under load) and sent to every node. Fresh keys cost
 * nothing, so without this bound a crowd of them could keep an owner busy committing
 * answers (bench:adversary). 25 a second is above what a busy honest maker sees (the
 * benchmark's two takers at their full accept pace ask for 16 a second; at 10 a second
 * its own honest trading was left unanswered) and half the `other` origin budget peers
 * give the owner's answers, so its heartbeats and cancels still get through.
 */
export const ANSWER_RATE = { tokens: 25, perMs: 1000, burst: 100 };

export interface OwnerDeskDeps {
  st: ExchangeState;
  publish: Publish;
  log: Logger;
  /** How far apart two honest clocks may be (the accept's deadline is on the taker's). */
  clockBoundMs: number;
}

export class OwnerDesk {
  /** Accepts left unanswered because their taker asked too often. */
  ignored = 0;
  private readonly answers = new BoundedMap<string, { since: number; count: number }>(MAX_PAIRS);
  private readonly answerBudget = new TokenBucket(ANSWER_RATE);

  constructor(private readonly d: OwnerDeskDeps) {}

  /** Publishes a new resting order of ours. */
  addOrder(side: Side, price: number, amount: number): OrderRecord {
    const data: AddData = { side, price, amount };
    const ev = this.d.publish(KIND.add, data as unknown as Record<string, unknown>);
    return this.d.st.ledger.get(ev.id)!;
  }

  /**
   * Decides one accept of our order and publishes the answer. Each accept is answered
   * once. An accept of an order that is already closed gets no answer: the order's
   * final state is public, and the taker's node concludes from it (take.ts).
   */
  answer(rec: OrderRecord, accept: EventMeta, data: AcceptData): void {
    if (rec.answered.has(accept.id) || rec.status !== 'open') return;
    const st = this.d.st;
    if (!this.mayAnswer(accept.origin, rec.id, st.clock.now()) || !this.answerBudget.take(1, st.clock.now())) {
      this.ignored++;
      return;
    }
    const d = decideAccept(rec, st.reservations.takingFor(rec.id), { taker: accept.origin, amount: data.amount, deadline: data.deadline }, st.clock.now() - this.d.clockBoundMs);
    const conf: ConfirmData = {
      ...this.base(rec, d.filled, d.status),
      accept: accept.id,
      taker: accept.origin,
      amount: d.fill,
      acceptBody: accept.raw.body,
      acceptSig: accept.raw.sig,
    };
    if (d.reason !== undefined) conf.reason = d.reason;
    try {
      this.d.publish(KIND.confirm, conf as unknown as Record<string, unknown>);
    } catch (err) {
      // Over our own budget: no answer (peers would refuse it); the taker's deadline ends it.
      if (!(err instanceof OwnBudgetSpent)) throw err;
      this.ignored++;
      return;
    }
    this.d.log.info('accept.answered', { order: rec.id, accept: accept.id, taker: accept.origin, requested: data.amount, amount: d.fill, reason: d.reason });
  }

  /** Our order took `amount` from an older crossing order in trade `acceptId`; returns what it took on. */
  fill(rec: OrderRecord, acceptId: string, amount: number): number {
    const booked = Math.min(amount, this.d.st.freeOfMine(rec));
    if (booked <= 0 || rec.status !== 'open') return 0;
    const filled = rec.filled + booked;
    const data: FillData = { ...this.base(rec, filled, filled === rec.amount ? 'filled' : 'open'), trade: acceptId, amount: booked };
    this.d.publish(KIND.fill, data as unknown as Record<string, unknown>);
    return booked;
  }

  /**
   * Restates the final state of an order of ours that we have pruned and a peer still
   * holds open (it missed the close while cut off for longer than retention). A fresh
   * owner update with the next seq: the peer applies it and closes the order; nodes
   * that pruned it too ignore it (tombstone).
   */
  restate(g: GoneOrder): void {
    g.seq += 1;
    const data: CancelData = { order: g.id, seq: g.seq, filled: g.filled, status: g.status, add: g.add.body, addSig: g.add.sig };
    this.d.publish(KIND.cancel, data as unknown as Record<string, unknown>);
    this.d.log.info('order.restated', { order: g.id, status: g.status, filled: g.filled, seq: g.seq });
  }

  cancel(rec: OrderRecord): void {
    const data: CancelData = this.base(rec, rec.filled, 'cancelled');
    this.d.publish(KIND.cancel, data as unknown as Record<string, unknown>);
  }

  /** Within its taker's allowance of answers for this order? Counts the answer if so. */
  private mayAnswer(taker: string, order: string, now: number): boolean {
    const key = `${taker}|${order}`;
    let a = this.answers.get(key);
    if (!a || now - a.since >= ANSWER_WINDOW_MS) {
      a = { since: now, count: 0 };
      this.answers.set(key, a);
    }
    if (a.count >= MAX_ANSWERS_PER_TAKER) {
      if (a.count === MAX_ANSWERS_PER_TAKER) this.d.log.warn('accept.ignored', { order, taker, reason: 'too many accepts of one order from one taker', windowMs: ANSWER_WINDOW_MS });
      a.count++;
      return false;
    }
    a.count++;
    return true;
  }

  private base(rec: OrderRecord, filled: number, status: OwnerUpdateData['status']): OwnerUpdateData {
    return { order: rec.id, seq: rec.seq + 1, filled, status, add: rec.add.body, addSig: rec.add.sig };
  }
}
