/**
 * Everything that comes in from the network, in one place: every verified event
 * (gossip or book sync) is checked (checks.ts), then applied — heartbeats to liveness,
 * adds to the ledger, accepts of our own orders to the owner desk, owner updates to
 * the ledger, and answers to our accepts back to the taker.
 */
import { BookError } from '../book/errors';
import { openSigned, type GossipEvent, type PeerView } from '../net/node';
import type { Logger } from '../log/logger';
import { checkEvent, type Checked, type SignedEvent } from './checks';
import { KIND, type AddData } from './events';
import type { Liveness } from './liveness';
import type { OrderLedger, OrderRecord } from './order-ledger';
import type { OwnerDesk } from './owner-desk';
import type { Placement } from './placement';
import type { Reservations } from './reservations';
import type { LateAccept, Taker } from './taker';

export interface IntakeDeps {
  me: string;
  ledger: OrderLedger;
  liveness: Liveness;
  desk: OwnerDesk;
  taker: Taker;
  reservations: Reservations;
  placement: Placement;
  log: Logger;
  now(): number;
  /** An owner went stale or came back. */
  livenessChanged(node: string, stale: boolean): void;
  /** A new order entered our book. */
  learned(rec: OrderRecord): void;
  /** An owner granted an accept of ours after we stopped waiting for its answer. */
  lateGrant(late: LateAccept, amount: number): void;
  /** An order event was applied: keep it (the event store). */
  remember(ev: SignedEvent): void;
}

export class EventIntake {
  /** Checks done in `validate` (before relay), reused when the event is delivered. */
  private readonly checked = new WeakMap<object, Checked>();
  /** Per peer whose book sync is under way: orders it taught us so far. */
  private readonly syncing = new Map<string, number>();

  /** Replaying our own store: apply quietly, resolve crossings once at the end. */
  private restoring = false;

  constructor(private readonly d: IntakeDeps) {}

  /**
   * Replays stored events (see ../store/event-store.ts) through the same checks as a
   * book sync. Returns how many were applied and how many no longer pass the checks.
   */
  restore(events: Iterable<SignedEvent>): { applied: number; skipped: number } {
    let applied = 0;
    let skipped = 0;
    this.restoring = true;
    try {
      for (const ev of events) {
        const c = checkEvent(ev, this.d.ledger, openSigned);
        if (typeof c === 'string') {
          skipped++;
          continue;
        }
        try {
          this.apply(ev, c, null, null, false);
          applied++;
        } catch (err) {
          // One event the book cannot take (replayed in id order, not arrival order)
          // must not stop the node from starting.
          if (!(err instanceof BookError)) throw err;
          skipped++;
        }
      }
    } finally {
      this.restoring = false;
    }
    this.d.placement.resolveAll();
    return { applied, skipped };
  }

  /** The network layer's `validate` hook: null accepts (and relays), a code drops. */
  validate(ev: GossipEvent): string | null {
    const c = checkEvent(ev, this.d.ledger, openSigned);
    if (typeof c === 'string') return c;
    this.checked.set(ev, c);
    return null;
  }

  gossip(ev: GossipEvent, from: PeerView): void {
    const c = this.checked.get(ev) ?? checkEvent(ev, this.d.ledger, openSigned);
    if (typeof c !== 'string') this.apply(ev, c, from, ev.hops, ev.synced !== true);
  }

  /** A book-sync event that is not new gossip: checked here (the network did not). */
  synced(ev: GossipEvent, from: PeerView): void {
    const c = checkEvent(ev, this.d.ledger, openSigned);
    if (typeof c === 'string') {
      this.d.log.warn('peer.invalid', { peer: from.nodeId, code: c, kind: ev.kind, event: ev.id, via: 'sync' });
      return;
    }
    this.apply(ev, c, from, null, false);
  }

  syncStarted(peer: string): void {
    this.syncing.set(peer, 0);
  }

  /** Ends a peer's sync; returns how many new orders it brought. */
  syncEnded(peer: string): number {
    const n = this.syncing.get(peer) ?? 0;
    this.syncing.delete(peer);
    return n;
  }

  /**
   * `live`: the event came as gossip, not in a book sync or from our store. Only live
   * accepts of our orders are answered: one from a sync or the store may already have
   * been answered by a confirm we have not seen yet (a restarted owner gets an order's
   * history back accept-before-confirm), and answering it again could grant it twice.
   * Left alone, its taker's deadline runs out; an accept missed while cut off has
   * usually expired anyway.
   */
  private apply(ev: SignedEvent, c: Checked, from: PeerView | null, hops: number | null, live: boolean): void {
    const change = this.d.liveness.heard(ev.origin, ev.ts, this.d.now());
    if (change) this.d.livenessChanged(change.node, change.stale);
    if (c.kind === KIND.heartbeat) {
      this.d.liveness.heartbeat(ev.origin, ev.ts, ev.raw);
      return;
    }
    if (this.applyOrderEvent(ev, c, from, hops, live) && !this.restoring) this.d.remember(ev);
  }

  /** Returns whether the event was applied (an accept of an order we don't know is not). */
  private applyOrderEvent(
    ev: SignedEvent,
    c: Exclude<Checked, { kind: typeof KIND.heartbeat }>,
    from: PeerView | null,
    hops: number | null,
    live: boolean,
  ): boolean {
    switch (c.kind) {
      case KIND.add:
        this.learnOrder(ev, c.data, hops, from);
        return this.d.ledger.get(ev.id) !== undefined;
      case KIND.accept: {
        const rec = this.d.ledger.get(c.data.order);
        if (!rec) {
          // An accept of an order of ours we pruned: its taker still holds it open.
          const gone = live ? this.d.ledger.goneMineToRestate(c.data.order) : undefined;
          if (gone) this.d.desk.restate(gone);
          return false;
        }
        this.d.ledger.noteAccept(rec, ev);
        if (rec.owner === this.d.me && live) this.d.desk.answer(rec, ev, c.data);
        return true;
      }
      default: {
        if (!this.d.ledger.get(c.data.order)) this.learnOrder(c.add, c.addData, null, from);
        const rec = this.d.ledger.get(c.data.order);
        if (!rec) return false;
        this.d.desk.applyUpdate(rec, ev, c.kind, c.data);
        if (c.kind === KIND.confirm && c.data.taker === this.d.me && !this.d.taker.isWaiting(c.data.accept)) {
          const late = this.d.taker.takeLate(c.data.accept);
          if (late && c.data.amount > 0) this.d.lateGrant(late, c.data.amount);
        } else if (c.kind === KIND.confirm && c.data.taker === this.d.me) {
          // If we took on behalf of a resting order of ours, book its fill in this same
          // turn: the reservation it replaces is released just below, and an accept of
          // that order decided in between must already see the new filled total.
          const r = this.d.reservations.get(c.data.accept);
          const mine = r?.forOrder ? this.d.ledger.get(r.forOrder) : undefined;
          if (mine && c.data.amount > 0) this.d.desk.fill(mine, c.data.accept, c.data.amount);
          this.d.taker.answered(c.data.accept, c.data.amount, this.d.ledger.trade(c.data.accept) ?? null, c.data.reason);
        }
        return true;
      }
    }
  }

  private learnOrder(ev: SignedEvent, data: AddData, hops: number | null, from: PeerView | null): void {
    try {
      if (!this.d.ledger.add(ev, data)) {
        // A peer offered back an order of ours we pruned: it still holds it open.
        const gone = ev.origin === this.d.me && from !== null ? this.d.ledger.goneMineToRestate(ev.id) : undefined;
        if (gone) this.d.desk.restate(gone);
        return;
      }
    } catch (err) {
      // The book refuses a price level past 2^53 sats (absurd sizes only).
      if (!(err instanceof BookError)) throw err;
      this.d.log.warn('order.refused', { order: ev.id, owner: ev.origin, code: err.code, reason: err.message });
      return;
    }
    const rec = this.d.ledger.get(ev.id)!;
    if (from === null) return; // restoring from our own store: quiet, crossings resolved after
    const n = this.syncing.get(from.nodeId);
    if (n !== undefined) this.syncing.set(from.nodeId, n + 1);
    this.d.log.info('order.added', {
      order: rec.id,
      owner: rec.owner,
      side: rec.side,
      price: rec.price,
      amount: rec.amount,
      ...(hops !== null ? { hops } : { via: 'sync' }),
      from: from.nodeId,
    });
    this.d.learned(rec);
    // A newer order of ours crossing this older one is ours to resolve.
    this.d.placement.crossingsAgainst(rec);
  }
}
