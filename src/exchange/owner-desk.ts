/**
 * Everything an owner publishes about its own orders, and the one place owner updates
 * (from anyone) are applied to the ledger. Publishing and applying happen in the same
 * synchronous turn, so the next accept the owner decides already sees the new total.
 */
import type { Logger } from '../log/logger';
import type { Side, TradeView } from './api';
import {
  KIND,
  type AcceptData,
  type AddData,
  type CancelData,
  type ConfirmData,
  type FillData,
  type OwnerUpdateData,
} from './events';
import type { EventMeta, GoneOrder, OrderLedger, OrderRecord } from './order-ledger';
import { decideAccept } from './owner';
import type { Reservations } from './reservations';

type Publish = (kind: string, data: Record<string, unknown>) => EventMeta;

export interface OwnerDeskDeps {
  me: string;
  ledger: OrderLedger;
  reservations: Reservations;
  publish: Publish;
  now(): number;
  log: Logger;
}

type UpdateKind = typeof KIND.confirm | typeof KIND.fill | typeof KIND.cancel;

export class OwnerDesk {
  onTrade: (t: TradeView) => void = () => {};
  onOrder: (rec: OrderRecord) => void = () => {};

  constructor(private readonly d: OwnerDeskDeps) {}

  /** Publishes a new resting order of ours. */
  addOrder(side: Side, price: number, amount: number): OrderRecord {
    const data: AddData = { side, price, amount };
    const ev = this.d.publish(KIND.add, data as unknown as Record<string, unknown>);
    this.d.ledger.add(ev, data);
    const rec = this.d.ledger.get(ev.id)!;
    this.d.log.info('order.added', { order: rec.id, owner: rec.owner, side, price, amount, hops: 0 });
    this.onOrder(rec);
    return rec;
  }

  /** Decides one accept of our order and publishes the answer. Each accept is answered once. */
  answer(rec: OrderRecord, accept: EventMeta, data: AcceptData): void {
    if (rec.answered.has(accept.id)) return;
    const d = decideAccept(rec, this.d.reservations.takingFor(rec.id), { taker: accept.origin, amount: data.amount, deadline: data.deadline }, this.d.now());
    const conf: ConfirmData = {
      ...this.base(rec, d.filled, d.status),
      accept: accept.id,
      taker: accept.origin,
      amount: d.fill,
      acceptBody: accept.raw.body,
      acceptSig: accept.raw.sig,
    };
    if (d.reason !== undefined) conf.reason = d.reason;
    this.d.log.info('accept.answered', { order: rec.id, accept: accept.id, taker: accept.origin, requested: data.amount, amount: d.fill, reason: d.reason });
    this.publishUpdate(rec, KIND.confirm, conf);
  }

  /** Our order took `amount` from an older crossing order in trade `acceptId`. */
  fill(rec: OrderRecord, acceptId: string, amount: number): void {
    const filled = rec.filled + amount;
    const data: FillData = { ...this.base(rec, filled, filled === rec.amount ? 'filled' : 'open'), trade: acceptId, amount };
    this.publishUpdate(rec, KIND.fill, data);
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
    this.publishUpdate(rec, KIND.cancel, data);
  }

  /** Applies an owner update (ours or a peer's, already checked). */
  applyUpdate(rec: OrderRecord, ev: EventMeta, kind: UpdateKind, data: OwnerUpdateData): void {
    const granted = kind === KIND.confirm && (data as ConfirmData).amount > 0;
    const outcome = this.d.ledger.update(rec, ev, data, granted);
    if (kind === KIND.confirm) {
      const trade = this.d.ledger.recordTrade(rec, ev, data as ConfirmData);
      if (trade) this.onTrade(trade);
    }
    if (outcome === 'applied') {
      if (kind === KIND.cancel && rec.status === 'cancelled') this.d.log.info('order.cancelled', { order: rec.id, owner: rec.owner, filled: rec.filled });
      else if (rec.status === 'filled') this.d.log.info('order.filled', { order: rec.id, owner: rec.owner, amount: rec.amount });
      this.onOrder(rec);
    }
  }

  private publishUpdate(rec: OrderRecord, kind: UpdateKind, data: OwnerUpdateData): void {
    const ev = this.d.publish(kind, data as unknown as Record<string, unknown>);
    this.applyUpdate(rec, ev, kind, data);
  }

  private base(rec: OrderRecord, filled: number, status: OwnerUpdateData['status']): OwnerUpdateData {
    return { order: rec.id, seq: rec.seq + 1, filled, status, add: rec.add.body, addSig: rec.add.sig };
  }
}
