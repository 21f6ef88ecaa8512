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
import type { DisputeReason } from './disputes';
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
  /** Set once this order's owner is proven to have contradicted itself about it: out of the book for good. */
  disputed: DisputeReason | null;
  /** Events that prove the dispute, passed on in book sync so every node reaches it. */
  conflicts: SignedBytes[];
  /** The last owner updates by seq, each with the filled total it states (see notePairs). */
  history: UpdateNote[];
  /** Latest time its owner signed anything about it (add or update; refreshes are in Vouches). */
  signedAt: number;
  /**
   * Not current (currency.ts): its owner has not vouched for it lately, or it is past its
   * owner's cap of open orders. Out of the book, not synced; back when vouched again.
   */
  dormant: boolean;
  /** Local time the order left the book, for retention. */
  closedAt: number | null;
}

export type UpdateOutcome = 'applied' | 'stale' | 'duplicate';

/** One owner update as remembered for contradiction checks. */
export interface UpdateNote {
  seq: number;
  id: string;
  filled: number;
  /** What it adds to `filled` (a grant's or a fill's amount; 0 for a cancel or a refusal). */
  grant: number;
  raw: SignedBytes;
}

/** Two signed events of one owner that cannot both be true (see disputes.ts). */
export type Contradiction = [SignedBytes, SignedBytes];

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
/**
 * Owner updates remembered per order to catch contradictions (same seq twice, a filled
 * total that does not add up). An honest order has a handful; a hostile owner's long
 * histories are bounded by the event budgets, and this bounds the memory either way.
 */
export const MAX_UPDATE_NOTES = 32;
/** Proof events kept per disputed order. */
export const MAX_CONFLICT_EVIDENCE = 8;

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
  /** Each owner's open orders (in the book): the per-owner cap keeps the smallest ids. */
  private readonly openBy = new Map<string, Set<string>>();
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
    /** Called with each contradiction found between two owner updates of one order. */
    private readonly contradiction: (rec: OrderRecord, pair: Contradiction) => void = () => {},
    /** Open orders per owner kept in the book (currency.ts). */
    private readonly maxOpenPerOwner = Infinity,
  ) {
    this.book = new OrderBook({ laneSeed });
  }

  get(id: string): OrderRecord | undefined {
    return this.records.get(id);
  }

  /**
   * Learns an order from its signed add. Returns false if it was already known (or is
   * gone). A second, different add under a known id (its owner signed two) leaves the
   * order as the add whose body sorts first says — the same on every node, whichever
   * came first; the dispute itself is recorded by whoever proves it.
   */
  add(ev: EventMeta, data: AddData): boolean {
    const known = this.records.get(ev.id);
    if (known) {
      if (Buffer.compare(ev.raw.body, known.add.body) < 0) this.rebase(known, ev, data);
      return false;
    }
    if (this.gone.has(ev.id)) return false;
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
      disputed: null,
      conflicts: [],
      history: [],
      signedAt: ev.ts,
      dormant: false,
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
    const known = rec.openAccepts.get(ev.id);
    // Two versions of one accept: keep the one whose body sorts first, as every node does.
    if (known && Buffer.compare(ev.raw.body, known.body) < 0) rec.openAccepts.set(ev.id, ev.raw);
    if (rec.answered.has(ev.id) || known) return;
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
  update(rec: OrderRecord, ev: EventMeta, data: OwnerUpdateData, grant: number): UpdateOutcome {
    if (rec.latest?.id === ev.id && sameBytes(rec.latest.raw.body, ev.raw.body)) return 'duplicate';
    const kept = rec.grants.get(ev.id);
    if (kept && sameBytes(kept.body, ev.raw.body)) return 'duplicate';
    for (const pair of this.notePairs(rec, ev, data, grant)) this.contradiction(rec, pair);
    if (ev.ts > rec.signedAt) rec.signedAt = ev.ts;
    // A grant is kept for sync whatever its seq (it is a trade); of two versions of one
    // event, the one whose body sorts first.
    if (grant > 0 && !(kept && Buffer.compare(kept.body, ev.raw.body) <= 0)) rec.grants.set(ev.id, ev.raw);
    const wins =
      data.seq > rec.seq || (data.seq === rec.seq && rec.latest !== null && Buffer.compare(ev.raw.body, rec.latest.raw.body) < 0);
    if (!wins) return 'stale';
    if (rec.disputed) {
      // Out of the book for good; the state still follows the same rule everywhere.
      rec.latest = { id: ev.id, raw: ev.raw };
      rec.seq = data.seq;
      rec.filled = data.filled;
      rec.status = data.status;
      return 'applied';
    }
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

  /**
   * Notes an owner update for contradiction checks and returns every pair it forms with
   * a remembered one that cannot both be true: the same seq twice, or a later update
   * whose filled total is below an earlier one's plus what the later one adds (an owner
   * never lowers filled, and every grant adds to it — so any overgrant shows up as such
   * a pair between two consecutive updates).
   */
  private notePairs(rec: OrderRecord, ev: EventMeta, data: OwnerUpdateData, grant: number): Contradiction[] {
    const h = rec.history;
    if (h.some((x) => x.id === ev.id && sameBytes(x.raw.body, ev.raw.body))) return [];
    const note: UpdateNote = { seq: data.seq, id: ev.id, filled: data.filled, grant, raw: ev.raw };
    const pairs: Contradiction[] = [];
    let lo: UpdateNote | null = null;
    let hi: UpdateNote | null = null;
    for (const x of h) {
      if (x.seq === note.seq) pairs.push([x.raw, note.raw]);
      else if (x.seq < note.seq && (lo === null || x.seq > lo.seq)) lo = x;
      else if (x.seq > note.seq && (hi === null || x.seq < hi.seq)) hi = x;
    }
    if (lo && note.filled < lo.filled + note.grant) pairs.push([lo.raw, note.raw]);
    if (hi && hi.filled < note.filled + hi.grant) pairs.push([note.raw, hi.raw]);
    h.push(note);
    h.sort((a, b) => a.seq - b.seq || Buffer.compare(a.raw.body, b.raw.body));
    if (h.length > MAX_UPDATE_NOTES) h.shift();
    return pairs;
  }

  /**
   * Takes the order out of the book for good: its owner is proven to have contradicted
   * itself about it. `evidence` is kept and passed on in book sync.
   */
  dispute(rec: OrderRecord, reason: DisputeReason, evidence: SignedBytes[]): boolean {
    for (const e of evidence) {
      if (rec.conflicts.length < MAX_CONFLICT_EVIDENCE && !rec.conflicts.some((c) => sameBytes(c.body, e.body))) rec.conflicts.push(e);
    }
    if (rec.disputed) return false;
    rec.disputed = reason;
    if (this.book.has(rec.id)) this.book.cancel(rec.id);
    if (rec.closedAt === null) rec.closedAt = this.now();
    this.track(rec);
    return true;
  }

  /** Makes `ev` the order's add (the smaller body of two under one id): data, book entry and trades follow. */
  private rebase(rec: OrderRecord, ev: EventMeta, data: AddData): void {
    const inBook = this.book.has(rec.id);
    if (inBook) this.book.cancel(rec.id);
    Object.assign(rec, { side: data.side, price: data.price, amount: data.amount, add: ev.raw });
    if (inBook && !rec.disputed && rec.status === 'open' && rec.filled < rec.amount) this.relist(rec);
    for (const t of this.tradeLog.values()) {
      if (t.orderId === rec.id) Object.assign(t, { side: rec.side, price: rec.price });
    }
  }

  private relist(rec: OrderRecord): void {
    if (rec.dormant || rec.disputed) return;
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

  /** The signed bytes we keep for event `id` of order `orderId` (its add, an update, an open accept), if any. */
  keptVersion(orderId: string, id: string): SignedBytes | undefined {
    const rec = this.records.get(orderId);
    if (!rec) return undefined;
    if (id === rec.id) return rec.add;
    if (rec.latest?.id === id) return rec.latest.raw;
    return rec.grants.get(id) ?? rec.openAccepts.get(id) ?? rec.history.find((h) => h.id === id)?.raw;
  }


  /** Keeps `mine` and the per-owner open sets in step with the order's state, and its owner under the cap. */
  private track(rec: OrderRecord): void {
    const open = rec.status === 'open' && rec.filled < rec.amount && !rec.disputed && !rec.dormant;
    if (rec.owner === this.me) {
      if (open) this.mine.set(rec.id, rec);
      else this.mine.delete(rec.id);
    }
    let set = this.openBy.get(rec.owner);
    if (open) {
      if (!set) this.openBy.set(rec.owner, (set = new Set()));
      set.add(rec.id);
      if (set.size > this.maxOpenPerOwner) {
        // Over the cap: every node keeps the smallest ids, whatever order it saw them in.
        let largest = '';
        for (const id of set) if (id > largest) largest = id;
        const evicted = this.records.get(largest);
        if (evicted) this.setDormant(evicted, true);
      }
    } else if (set) {
      set.delete(rec.id);
      if (set.size === 0) this.openBy.delete(rec.owner);
    }
  }

  /** Open orders of `owner` in the book. */
  openCountOf(owner: string): number {
    return this.openBy.get(owner)?.size ?? 0;
  }

  /** Would a new order `id` of `owner` be over its cap (the cap keeps the smallest ids)? */
  overCap(owner: string, id: string): boolean {
    const set = this.openBy.get(owner);
    if (!set || set.size < this.maxOpenPerOwner) return false;
    for (const x of set) if (x > id) return false;
    return true;
  }

  /**
   * Makes an order dormant (out of the book, not synced: its owner has not vouched for
   * it lately, or it is over its owner's cap) or current again. Returns whether it changed.
   */
  setDormant(rec: OrderRecord, dormant: boolean): boolean {
    if (rec.dormant === dormant) return false;
    rec.dormant = dormant;
    if (dormant) {
      if (this.book.has(rec.id)) this.book.cancel(rec.id);
      if (rec.closedAt === null) rec.closedAt = this.now();
    } else if (rec.status === 'open' && rec.filled < rec.amount && !rec.disputed) {
      rec.closedAt = null;
      this.relist(rec);
    }
    this.track(rec);
    return true;
  }

  /** Every order still in memory, open ones and closed ones within retention. */
  all(): IterableIterator<OrderRecord> {
    return this.records.values();
  }

  /** The signed events that rebuild this ledger elsewhere: each add, then its history. */
  *signedHistory(): Generator<SignedBytes> {
    for (const rec of this.records.values()) {
      // A dormant order is not passed on: its owner does not vouch for it now.
      if (rec.dormant) continue;
      yield rec.add;
      yield* rec.conflicts;
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
    const open = [...this.records.values()].filter((r) => r.status === 'open' && r.filled < r.amount && !r.disputed && !r.dormant);
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
      ...(rec.disputed ? { disputed: rec.disputed } : {}),
      ...(rec.dormant ? { dormant: true as const } : {}),
    };
  }
}

function account(rec: OrderRecord, key: string, amount: number): void {
  const prev = rec.accounted.get(key) ?? 0;
  rec.accounted.set(key, amount);
  rec.accountedSum += amount - prev;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
