/**
 * What every node checks on an order event before applying or relaying it, beyond the
 * signature the network layer has verified: the payload's shape, that only the owner
 * updates its order, and that amounts stay within the order. Returns the parsed event
 * or a stable code; an invalid event is dropped and counted against the peer that sent
 * it (the network layer does the counting).
 */
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from '../book/units';
import {
  EventShapeError,
  KIND,
  parseAccept,
  parseAdd,
  parseCancel,
  parseConfirm,
  parseFill,
  type AcceptData,
  type AddData,
  type CancelData,
  type ConfirmData,
  type FillData,
} from './events';
import type { EventMeta, OrderLedger } from './order-ledger';

/** A verified event as the exchange sees it (the network layer's GossipEvent fits). */
export interface SignedEvent extends EventMeta {
  kind: string;
  data: Record<string, unknown>;
}

/** Verifies and decodes signed bytes carried inside another event (an owner update's add). */
export type OpenSigned = (body: Uint8Array, sig: Uint8Array) => SignedEvent | null;

/** An accept's deadline must fall within this long after the accept itself. */
export const MAX_ACCEPT_WINDOW_MS = 60_000;

export type Checked =
  | { kind: typeof KIND.add; data: AddData }
  | { kind: typeof KIND.accept; data: AcceptData }
  | { kind: typeof KIND.confirm; data: ConfirmData; add: SignedEvent; addData: AddData }
  | { kind: typeof KIND.fill; data: FillData; add: SignedEvent; addData: AddData }
  | { kind: typeof KIND.cancel; data: CancelData; add: SignedEvent; addData: AddData }
  | { kind: typeof KIND.heartbeat };

export const INVALID = {
  SHAPE: 'BAD_EVENT',
  KIND: 'UNKNOWN_KIND',
  NOT_OWNER: 'NOT_OWNER',
  BAD_ADD: 'BAD_EMBEDDED_ADD',
  OVERFILL: 'OVERFILL',
  TOO_LARGE: 'AMOUNT_EXCEEDS_ORDER',
  OWN_ORDER: 'OWN_ORDER',
  STATUS: 'BAD_STATUS',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  BAD_ACCEPT: 'BAD_EMBEDDED_ACCEPT',
  DEADLINE: 'BAD_DEADLINE',
  OVERGRANT: 'OVERGRANT',
} as const;

export function checkEvent(ev: SignedEvent, ledger: OrderLedger, open: OpenSigned): Checked | string {
  try {
    switch (ev.kind) {
      case KIND.add: {
        const data = parseAdd(ev.data);
        return inRange(data) ? { kind: KIND.add, data } : INVALID.OUT_OF_RANGE;
      }
      case KIND.accept: {
        const data = parseAccept(ev.data);
        // A deadline before the accept was made, or far after it, is no accept of ours:
        // such events only cost owners an answer each.
        if (data.deadline < ev.ts || data.deadline > ev.ts + MAX_ACCEPT_WINDOW_MS) return INVALID.DEADLINE;
        const rec = ledger.get(data.order);
        if (rec && data.amount > rec.amount) return INVALID.TOO_LARGE;
        if (rec && rec.owner === ev.origin) return INVALID.OWN_ORDER;
        return { kind: KIND.accept, data };
      }
      case KIND.confirm:
        return ownerUpdate(ev, KIND.confirm, parseConfirm(ev.data), open);
      case KIND.fill:
        return ownerUpdate(ev, KIND.fill, parseFill(ev.data), open);
      case KIND.cancel:
        return ownerUpdate(ev, KIND.cancel, parseCancel(ev.data), open);
      case KIND.heartbeat:
        return { kind: KIND.heartbeat };
      default:
        return INVALID.KIND;
    }
  } catch (err) {
    if (err instanceof EventShapeError) return INVALID.SHAPE;
    throw err;
  }
}

function inRange(d: AddData): boolean {
  return d.price <= MAX_PRICE_CENTS && d.amount <= MAX_AMOUNT_SATS;
}

function ownerUpdate<K extends typeof KIND.confirm | typeof KIND.fill | typeof KIND.cancel>(
  ev: SignedEvent,
  kind: K,
  data: K extends typeof KIND.confirm ? ConfirmData : K extends typeof KIND.fill ? FillData : CancelData,
  open: OpenSigned,
): Checked | string {
  const add = open(data.add, data.addSig);
  if (!add || add.kind !== KIND.add || add.id !== data.order) return INVALID.BAD_ADD;
  // The heart of the owner rule: an update counts only if signed by whoever signed the add.
  if (add.origin !== ev.origin) return INVALID.NOT_OWNER;
  const addData = parseAdd(add.data);
  if (!inRange(addData)) return INVALID.OUT_OF_RANGE;
  if (data.filled > addData.amount) return INVALID.OVERFILL;
  const full = data.filled === addData.amount;
  if ((data.status === 'filled') !== full && data.status !== 'cancelled') return INVALID.STATUS;
  if (kind === KIND.confirm) {
    const c = data as ConfirmData;
    if (c.amount > c.filled) return INVALID.OVERFILL;
    if (c.taker === ev.origin) return INVALID.OWN_ORDER;
    // The answer must be to a real accept: signed by the taker, for this order, asking
    // at least what is granted.
    const acc = open(c.acceptBody, c.acceptSig);
    if (!acc || acc.kind !== KIND.accept || acc.id !== c.accept || acc.origin !== c.taker) return INVALID.BAD_ACCEPT;
    const asked = parseAccept(acc.data);
    if (asked.order !== c.order) return INVALID.BAD_ACCEPT;
    if (c.amount > asked.amount) return INVALID.OVERGRANT;
  }
  if (kind === KIND.fill && (data as FillData).amount > data.filled) return INVALID.OVERFILL;
  return { kind, data, add, addData } as Checked;
}
