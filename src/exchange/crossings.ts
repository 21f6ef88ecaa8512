/**
 * Keeping the book uncrossed. Two resting orders of different owners can cross when
 * they were placed at the same moment on different nodes. The owner of the newer one
 * (by ts, then id) takes the older one; the other owner does nothing. So exactly one
 * side acts. One exception, so that no crossing is left that nobody may take: when what
 * is left of the newer order is a dust take of the older (below MIN_TAKE_SATS and less
 * than the older has left, refused everywhere), the older order's owner takes all that
 * is left of the newer one instead (taking all that is left is never dust).
 *
 * A refusal that may not last (the amount is held by another taker, the deadline passed,
 * no answer) is retried after the accept's wait, at most MAX_RETRIES times per pair of
 * orders; any other reason ends the attempt for that pair until something gives it a
 * fresh start (a new link, an owner back, the periodic re-check).
 */
import type { Clock, TimerHandle } from '../clock/clock';
import type { Logger } from '../log/logger';
import { plan } from '../book/matching';
import type { RestingOrder } from '../book/types';
import type { OrderRecord } from './order-ledger';
import { isDust } from './kinds/accept';
import { REFUSAL } from './owner';
import type { ExchangeState } from './state';
import { OwnBudgetSpent } from './pipeline';
import { TAKE_OUTCOME, type TakeResult, type Takes } from './take';

const TEMPORARY_REFUSALS: ReadonlySet<string> = new Set([REFUSAL.RESERVED, REFUSAL.DEADLINE, TAKE_OUTCOME.UNKNOWN]);
/** Tries per pair of orders before giving up until a fresh start: a few, not a flood. */
const MAX_RETRIES = 3;

export interface CrossingsDeps {
  st: ExchangeState;
  takes: Takes;
  clock: Clock;
  log: Logger;
  /** After a refusal that may not last, retry this much later (the accept's whole wait). */
  retryMs: number;
  excluded(owner: string): boolean;
}

export function older(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
}

/** One of two crossing orders, as far as who acts is concerned. */
interface Party {
  ts: number;
  id: string;
  /** Sats left. */
  left: number;
}

/** Does the owner of `mine` act on the crossing of `mine` and `other` (see the top)? */
export function takesFrom(mine: Party, other: Party): boolean {
  return older(other, mine) ? !isDust(mine.left, other.left) : isDust(other.left, mine.left);
}

const partyOf = (r: OrderRecord): Party => ({ ts: r.ts, id: r.id, left: r.amount - r.filled });

function crosses(mine: OrderRecord, other: { side: string; price: number }): boolean {
  if (mine.side === other.side) return false;
  return mine.side === 'buy' ? mine.price >= other.price : mine.price <= other.price;
}

export class Crossings {
  /** Resolutions under way and retries scheduled. */
  busy = 0;
  private closed = false;
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  /** Orders of ours being cancelled: no new takes for them. */
  private readonly cancelling = new Set<string>();
  private readonly gaveUp = new Set<string>();
  private readonly tries = new Map<string, number>();
  private readonly retries = new Map<string, TimerHandle>();
  private idle: Array<() => void> = [];
  private readonly orderIdle = new Map<string, Array<() => void>>();

  constructor(private readonly d: CrossingsDeps) {}

  /** A new order of another owner arrived: if one of ours crosses it and is the one to act, ours takes it. */
  against(theirs: OrderRecord): void {
    if (theirs.owner === this.d.st.me) return;
    for (const mine of this.d.st.ledger.mineOpen()) if (crosses(mine, theirs) && takesFrom(partyOf(mine), partyOf(theirs))) this.resolve(mine);
  }

  /** A fresh start for every crossing of ours (an owner came back, a link came up, the periodic check). */
  resolveAll(): void {
    this.gaveUp.clear();
    this.tries.clear();
    for (const mine of this.d.st.ledger.mineOpen()) this.resolve(mine);
  }

  resolve(mine: OrderRecord): void {
    if (this.closed || this.cancelling.has(mine.id)) return;
    if (this.running.has(mine.id)) {
      this.again.add(mine.id);
      return;
    }
    this.running.add(mine.id);
    this.busy++;
    void this.loop(mine)
      // A bug here must not end the process (an unhandled rejection would): log it, and
      // the periodic re-check tries again.
      .catch((err: unknown) => this.d.log.warn('order.crossing-failed', { order: mine.id, error: String(err) }))
      .finally(() => {
        this.running.delete(mine.id);
        for (const r of this.orderIdle.get(mine.id) ?? []) r();
        this.orderIdle.delete(mine.id);
        this.done();
      });
  }

  /** Stops new takes for `rec` and waits for the ones under way (cancel). */
  async quiesceOrder(rec: OrderRecord): Promise<void> {
    this.cancelling.add(rec.id);
    while (this.running.has(rec.id)) await new Promise<void>((r) => this.orderIdle.set(rec.id, [...(this.orderIdle.get(rec.id) ?? []), r]));
  }

  release(rec: OrderRecord): void {
    this.cancelling.delete(rec.id);
  }

  settled(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  close(): void {
    this.closed = true;
    for (const t of this.retries.values()) {
      this.d.clock.clearTimeout(t);
      this.done();
    }
    this.retries.clear();
  }

  private async loop(mine: OrderRecord): Promise<void> {
    let progress = true;
    while (progress || this.again.has(mine.id)) {
      this.again.delete(mine.id);
      if (mine.status !== 'open' || this.cancelling.has(mine.id) || this.closed) return;
      progress = await this.step(mine);
    }
  }

  private async step(mine: OrderRecord): Promise<boolean> {
    const st = this.d.st;
    const free = st.freeOfMine(mine);
    if (free <= 0) return false;
    const p = plan(st.ledger.book, { side: mine.side, price: mine.price, amount: free, owner: st.me }, {
      available: (o) => st.freeToTake({ id: o.id, amount: o.amount, filled: 0 }),
      eligible: (o) => takesFrom(partyOf(mine), { ts: o.ts, id: o.id, left: o.amount }) && !this.d.excluded(o.owner) && !this.gaveUp.has(`${mine.id}/${o.id}`),
    });
    // A leg cut to dust by what is held of our order meanwhile waits for the next try.
    const legs = p.legs.filter((l) => !isDust(l.amount, l.order.amount));
    if (legs.length === 0) return false;
    this.d.log.info('order.crossing', { order: mine.id, legs: legs.length, amount: legs.reduce((n, l) => n + l.amount, 0) });
    const outs = await Promise.all(legs.map((l) => this.take(l.order, l.amount, mine)));
    for (const o of outs) {
      if (o.filled > 0 || o.reason === undefined) continue;
      const pair = `${mine.id}/${o.orderId}`;
      const tries = (this.tries.get(pair) ?? 0) + 1;
      this.tries.set(pair, tries);
      if (TEMPORARY_REFUSALS.has(o.reason) && tries <= MAX_RETRIES) this.retryLater(mine);
      else this.gaveUp.add(pair);
    }
    return outs.some((o) => o.filled > 0);
  }

  private take(order: RestingOrder, amount: number, mine: OrderRecord): Promise<TakeResult> {
    let t;
    try {
      t = this.d.takes.start(order.id, amount, 'crossing', mine.id);
    } catch (err) {
      // Our accept budget is spent for now: a refusal that will not last (retried later).
      if (!(err instanceof OwnBudgetSpent)) throw err;
      return Promise.resolve({ acceptId: '', orderId: order.id, requested: amount, filled: 0, trade: null, reason: REFUSAL.RESERVED });
    }
    this.d.log.info('accept.sent', { order: order.id, owner: order.owner, amount, price: order.price, for: mine.id, accept: t.acceptId });
    return t.result.then((out) => {
      this.d.log.info('accept.result', { order: order.id, accept: out.acceptId, filled: out.filled, reason: out.reason });
      return out;
    });
  }

  private retryLater(mine: OrderRecord): void {
    if (this.closed || this.retries.has(mine.id)) return;
    // A scheduled retry is work in flight: quiescence waits for it.
    this.busy++;
    const t = this.d.clock.setTimeout(() => {
      this.retries.delete(mine.id);
      if (mine.status === 'open') this.resolve(mine);
      this.done();
    }, this.d.retryMs);
    this.retries.set(mine.id, t);
  }

  private done(): void {
    this.busy--;
    if (this.busy === 0) for (const f of this.idle.splice(0)) f();
  }
}
