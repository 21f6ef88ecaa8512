/**
 * Every order this node knows, as the owner last said it is, plus the signed history
 * needed to hand the book to a new peer. Pure: no I/O, no clock of its own.
 *
 * Convergence rule: an order's state is its `order.add` overlaid by the owner update
 * with the highest `seq`. Every update carries the full resulting state (filled total
 * and status), so nodes agree whatever order updates arrive in, and applying one twice
 * changes nothing. Trades are keyed by the accept they answer, so they are idempotent
 * too.
 */
import { createHash } from 'node:crypto';
import { OrderBook } from '../book/order-book';
import type { OrderStatus, OrderView, Side, TradeView } from './api';
import type { AddData, ConfirmData, FillData, OwnerUpdateData } from './events';

/** The bytes an event was carried and signed as (see the network layer). */
export interface SignedBytes {
  body: Uint8Array;
  sig: Uint8Array;
}

/** The envelope fields the ledger needs from a verified event. */
export interface EventMeta {
  id: string;
  origin: string;
  ts: number;
  raw: SignedBytes;
}

export interface OrderRecord {
  id: string;
  owner: string;
  side: Side;
  price: number;
  amount: number;
  ts: number;
  filled: number;
  status: OrderStatus;
  seq: number;
  add: SignedBytes;
  /**
   * The signed history passed on in book sync, kept small whatever peers send: the
   * update that decides the state (`latest`), every confirm that granted something
   * (they are the trades), and accepts not answered yet (at most MAX_OPEN_ACCEPTS).
   * Refusals and fills once superseded, and answered accepts (each confirm embeds its
   * accept), are dropped.
   */
  latest: { id: string; raw: SignedBytes } | null;
  grants: Map<string, SignedBytes>;
  openAccepts: Map<string, SignedBytes>;
  /** Accept ids the owner has answered (rebuilt from confirms, so it survives a resync). */
  answered: Set<string>;
  /**
   * What we have seen add to `filled`: each grant (by accept id) and each fill of the
   * order's own (by trade id). When it reaches `filled` on a closed order, every grant
   * of it is known here — so an accept of ours still unanswered was not granted.
   */
  accounted: Map<string, number>;
  accountedSum: number;
  /** Local time the order left the book, for retention. */
  closedAt: number | null;
}

export type UpdateOutcome = 'applied' | 'stale' | 'duplicate';

/** What an owner keeps of its own pruned orders: enough to restate their final state. */
export interface GoneOrder {
  id: string;
  add: SignedBytes;
  filled: number;
  status: OrderStatus;
  seq: number;
  /** Local time it was last restated (at most once per retention period). */
  restatedAt: number;
}

/**
 * How many forgotten (closed, pruned) order ids are remembered, so that a peer back
 * from a long partition cannot sync a filled or cancelled order back to life.
 */
export const MAX_TOMBSTONES = 500_000;
/** Unanswered accepts kept per order for book sync (oldest dropped first). */
export const MAX_OPEN_ACCEPTS = 64;

export class OrderLedger {
  readonly book: OrderBook;
  private readonly records = new Map<string, OrderRecord>();
  /** Ids of closed orders pruned from memory (oldest dropped first past MAX_TOMBSTONES). */
  private readonly gone = new Set<string>();
  /** Our own pruned orders, by id (bounded like the tombstones). */
  private readonly goneMine = new Map<string, GoneOrder>();
  private readonly tradeLog = new Map<string, TradeView>();
  /** Our own open orders: crossing checks look at these without walking the whole book. */
  private readonly mine = new Map<string, OrderRecord>();
  /** The body of the confirm each trade came from (to settle an equivocating owner). */
  private readonly tradeBody = new Map<string, Uint8Array>();

  constructor(
    /** Our node id: our own pruned orders are remembered in full (see GoneOrder). */
    private readonly me: string,
    private readonly now: () => number,
    /** How long filled/cancelled orders are remembered, to absorb late events. */
    private readonly retainMs: number,
    /**
     * Mixed into the book's same-price skip lists: secret per node, so nobody can choose
     * order ids that make late inserts at one price slow here (the order is the same).
     */
    laneSeed = 0,
  ) {
    this.book = new OrderBook({ laneSeed });
  }

  get(id: string): OrderRecord | undefined {
    return this.records.get(id);
  }

  /** Learns an order from its signed add. Returns false if it was already known (or is gone). */
  add(ev: EventMeta, data: AddData): boolean {
    if (this.records.has(ev.id) || this.gone.has(ev.id)) return false;
    const rec: OrderRecord = {
      id: ev.id,
      owner: ev.origin,
      side: data.side,
      price: data.price,
      amount: data.amount,
      ts: ev.ts,
      filled: 0,
      status: 'open',
      seq: 0,
      add: ev.raw,
      latest: null,
      grants: new Map(),
      openAccepts: new Map(),
      answered: new Set(),
      accounted: new Map(),
      accountedSum: 0,
      closedAt: null,
    };
    // The book may refuse (a price level past 2^53 sats, only with absurd sizes): then
    // the order is not known at all, rather than known but missing from the book.
    this.book.add({ id: rec.id, owner: rec.owner, side: rec.side, price: rec.price, amount: rec.amount, ts: rec.ts });
    this.records.set(rec.id, rec);
    this.track(rec);
    return true;
  }

  /**
   * One of our own orders we have pruned, due to be restated: a peer still holds it
   * open (it offered its add back, or sent an accept for it). At most once per
   * retention period per order, so a stubborn peer cannot make us flood.
   */
  goneMineToRestate(id: string): GoneOrder | undefined {
    const g = this.goneMine.get(id);
    if (!g || this.now() - g.restatedAt < this.retainMs) return undefined;
    g.restatedAt = this.now();
    return g;
  }

  /** Keeps an unanswered accept so a peer that missed it gets it on sync. */
  noteAccept(rec: OrderRecord, ev: EventMeta): void {
    if (rec.answered.has(ev.id) || rec.openAccepts.has(ev.id)) return;
    if (rec.openAccepts.size >= MAX_OPEN_ACCEPTS) rec.openAccepts.delete(rec.openAccepts.keys().next().value as string);
    rec.openAccepts.set(ev.id, ev.raw);
  }

  /**
   * Applies an owner update (confirm, fill or cancel) by sequence number. The caller
   * has checked that `ev.origin` is the order's owner and that `filled` is within it.
   * `granted`: a confirm that gave something (a trade), kept for sync whatever its seq.
   *
   * Two different updates with the same seq can only come from an owner that
   * equivocates; every node then keeps the one whose body bytes sort first, so they
   * still agree.
   */
  update(rec: OrderRecord, ev: EventMeta, data: OwnerUpdateData, granted: boolean): UpdateOutcome {
    if (rec.latest?.id === ev.id || rec.grants.has(ev.id)) return 'duplicate';
    if (granted) rec.grants.set(ev.id, ev.raw);
    const wins =
      data.seq > rec.seq || (data.seq === rec.seq && rec.latest !== null && Buffer.compare(ev.raw.body, rec.latest.raw.body) < 0);
    if (!wins) return 'stale';
    rec.latest = { id: ev.id, raw: ev.raw };
    const before = rec.amount - rec.filled;
    rec.seq = data.seq;
    rec.filled = data.filled;
    rec.status = data.status;
    const after = rec.amount - rec.filled;
    const inBook = this.book.has(rec.id);
    if (rec.status === 'open' && after > 0) {
      if (inBook && after < before) this.book.reduce(rec.id, before - after);
      else if (!inBook) this.relist(rec);
      else if (after > before) {
        // Only a misbehaving owner lowers a filled total; follow it, the owner decides.
        this.book.cancel(rec.id);
        this.relist(rec);
      }
    } else {
      if (inBook) this.book.cancel(rec.id);
      if (rec.closedAt === null) rec.closedAt = this.now();
    }
    this.track(rec);
    return 'applied';
  }

  private relist(rec: OrderRecord): void {
    const amount = rec.amount - rec.filled;
    this.book.add({ id: rec.id, owner: rec.owner, side: rec.side, price: rec.price, amount, ts: rec.ts });
    rec.closedAt = null;
  }

  /** Records the trade a confirm reports (idempotent by accept id). Returns it when new. */
  recordTrade(rec: OrderRecord, ev: EventMeta, data: ConfirmData): TradeView | null {
    rec.answered.add(data.accept);
    rec.openAccepts.delete(data.accept);
    if (data.amount === 0) return null;
    // One accept, one trade. An owner that equivocates (two grants for one accept) is
    // settled like its updates: the confirm whose body bytes sort first makes the trade.
    const prior = this.tradeBody.get(data.accept);
    if (prior && Buffer.compare(ev.raw.body, prior) >= 0) return null;
    this.tradeBody.set(data.accept, ev.raw.body);
    account(rec, data.accept, data.amount);
    const trade: TradeView = {
      id: data.accept,
      orderId: rec.id,
      maker: rec.owner,
      taker: data.taker,
      side: rec.side,
      amount: data.amount,
      price: rec.price,
      ts: ev.ts,
    };
    this.tradeLog.set(trade.id, trade);
    return trade;
  }

  /** Notes a fill of the owner's own order (it took from an older crossing order). */
  recordFill(rec: OrderRecord, data: FillData): void {
    account(rec, `fill:${data.trade}`, data.amount);
  }

  /** Every grant and fill of a closed order is known here (see OrderRecord.accounted). */
  fullyAccounted(rec: OrderRecord): boolean {
    return rec.accountedSum >= rec.filled;
  }

  trade(acceptId: string): TradeView | undefined {
    return this.tradeLog.get(acceptId);
  }

  trades(): TradeView[] {
    return [...this.tradeLog.values()].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Our own orders that are open with something left. */
  mineOpen(): OrderRecord[] {
    return [...this.mine.values()];
  }

  private track(rec: OrderRecord): void {
    if (rec.owner !== this.me) return;
    if (rec.status === 'open' && rec.filled < rec.amount) this.mine.set(rec.id, rec);
    else this.mine.delete(rec.id);
  }

  /** Every order still in memory, open ones and closed ones within retention. */
  all(): IterableIterator<OrderRecord> {
    return this.records.values();
  }

  /** The signed events that rebuild this ledger elsewhere: each add, then its history. */
  *signedHistory(): Generator<SignedBytes> {
    for (const rec of this.records.values()) {
      yield rec.add;
      yield* rec.grants.values();
      if (rec.latest && !rec.grants.has(rec.latest.id)) yield rec.latest.raw;
      yield* rec.openAccepts.values();
    }
  }

  /** Forgets closed orders past retention, keeping their ids. Trades stay: they are the record. */
  prune(): number {
    const cutoff = this.now() - this.retainMs;
    let n = 0;
    for (const [id, rec] of this.records) {
      if (rec.closedAt !== null && rec.closedAt <= cutoff) {
        this.records.delete(id);
        if (this.gone.size >= MAX_TOMBSTONES) this.gone.delete(this.gone.values().next().value as string);
        this.gone.add(id);
        if (rec.owner === this.me) {
          if (this.goneMine.size >= MAX_TOMBSTONES) this.goneMine.delete(this.goneMine.keys().next().value as string);
          this.goneMine.set(id, { id, add: rec.add, filled: rec.filled, status: rec.status, seq: rec.seq, restatedAt: -Infinity });
        }
        n++;
      }
    }
    return n;
  }

  /** sha256 over the open orders, sorted by id: equal on two nodes exactly when their books are. */
  digest(): string {
    const open = [...this.records.values()].filter((r) => r.status === 'open' && r.filled < r.amount);
    open.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const h = createHash('sha256');
    for (const r of open) h.update(`${r.id}|${r.owner}|${r.side}|${r.price}|${r.amount}|${r.filled}|${r.ts}\n`);
    return h.digest('hex');
  }

  view(rec: OrderRecord, stale: boolean): OrderView {
    return {
      id: rec.id,
      owner: rec.owner,
      side: rec.side,
      price: rec.price,
      amount: rec.amount,
      filled: rec.filled,
      remaining: rec.amount - rec.filled,
      status: rec.status,
      stale,
      ts: rec.ts,
      seq: rec.seq,
    };
  }
}

function account(rec: OrderRecord, key: string, amount: number): void {
  const prev = rec.accounted.get(key) ?? 0;
  rec.accounted.set(key, amount);
  rec.accountedSum += amount - prev;
}
