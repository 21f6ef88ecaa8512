/**
 * Order events carried by the gossip layer, and the shape checks every node runs on
 * their decoded `data` before applying them. The envelope (id, origin, ts, signature)
 * belongs to the network layer; these are the payloads.
 *
 * Owner updates (`order.confirm`, `order.fill`, `order.cancel`) each carry the order's
 * signed `order.add` (its exact bytes and signature). A node that sees an update before
 * the add (gossip over different paths can reorder them) can therefore still check that
 * the update comes from the order's owner, learn the order, and apply the update at
 * once, instead of holding it unverified.
 */
import type { OrderStatus, Side } from './api';

export const KIND = {
  add: 'order.add',
  accept: 'order.accept',
  confirm: 'order.confirm',
  fill: 'order.fill',
  cancel: 'order.cancel',
  heartbeat: 'node.heartbeat',
} as const;
export type OrderEventKind = (typeof KIND)[keyof typeof KIND];

/** `order.add`: a new resting order. Its order id is the event id; owner = origin. */
export interface AddData {
  side: Side;
  price: number;
  amount: number;
}

/** `order.accept`: the origin (taker) asks to take `amount` sats of `order`. */
export interface AcceptData {
  order: string;
  amount: number;
  /** ms since epoch; the owner refuses the accept after this (its own clock). */
  deadline: number;
}

/** Fields every owner update carries. `seq` grows by one with every update of the order. */
export interface OwnerUpdateData {
  order: string;
  seq: number;
  /** The order's filled total after this update, sats. */
  filled: number;
  status: OrderStatus;
  /** The order's signed `order.add`, exact bytes (see the file comment). */
  add: Uint8Array;
  addSig: Uint8Array;
}

/**
 * `order.confirm`: the owner's answer to one accept. amount 0 = refused, with a reason.
 * It carries the accept it answers (exact bytes and signature), so every node can check
 * that the taker really asked, for this order, for at least what was granted: nobody
 * can confirm an accept that never was, re-use one for another order, or over-grant.
 */
export interface ConfirmData extends OwnerUpdateData {
  /** The accept's event id (= the trade id). */
  accept: string;
  taker: string;
  amount: number;
  reason?: string;
  acceptBody: Uint8Array;
  acceptSig: Uint8Array;
}

/**
 * `order.fill`: the owner's order took liquidity itself (it was the newer of two
 * crossing orders and its owner accepted the older one). Records the fill on the
 * taking order; the trade itself is the maker's `order.confirm` for accept `trade`.
 */
export interface FillData extends OwnerUpdateData {
  trade: string;
  amount: number;
}

export type CancelData = OwnerUpdateData;

/** A payload that is not of the shape its kind requires. */
export class EventShapeError extends Error {
  readonly code = 'BAD_EVENT';
  constructor(kind: string, what: string) {
    super(`${kind}: ${what}`);
    this.name = 'EventShapeError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NODE_ID = /^[0-9a-f]{64}$/;
const STATUSES: readonly string[] = ['open', 'filled', 'cancelled'];

type Data = Record<string, unknown>;

function uuid(kind: string, d: Data, k: string): string {
  const v = d[k];
  if (typeof v !== 'string' || !UUID.test(v)) throw new EventShapeError(kind, `${k} must be a UUIDv7 string`);
  return v;
}
function count(kind: string, d: Data, k: string, min: number): number {
  const v = d[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new EventShapeError(kind, `${k} must be an integer >= ${min}`);
  }
  return v;
}
function bytes(kind: string, d: Data, k: string): Uint8Array {
  const v = d[k];
  if (!(v instanceof Uint8Array)) throw new EventShapeError(kind, `${k} must be binary`);
  return v;
}

export function parseAdd(d: Data): AddData {
  const side = d.side;
  if (side !== 'buy' && side !== 'sell') throw new EventShapeError(KIND.add, 'side must be "buy" or "sell"');
  return { side, price: count(KIND.add, d, 'price', 1), amount: count(KIND.add, d, 'amount', 1) };
}

export function parseAccept(d: Data): AcceptData {
  return {
    order: uuid(KIND.accept, d, 'order'),
    amount: count(KIND.accept, d, 'amount', 1),
    deadline: count(KIND.accept, d, 'deadline', 0),
  };
}

function parseOwnerUpdate(kind: string, d: Data): OwnerUpdateData {
  const status = d.status;
  if (typeof status !== 'string' || !STATUSES.includes(status)) {
    throw new EventShapeError(kind, 'status must be open, filled or cancelled');
  }
  return {
    order: uuid(kind, d, 'order'),
    seq: count(kind, d, 'seq', 1),
    filled: count(kind, d, 'filled', 0),
    status: status as OrderStatus,
    add: bytes(kind, d, 'add'),
    addSig: bytes(kind, d, 'addSig'),
  };
}

export function parseConfirm(d: Data): ConfirmData {
  const base = parseOwnerUpdate(KIND.confirm, d);
  const taker = d.taker;
  if (typeof taker !== 'string' || !NODE_ID.test(taker)) throw new EventShapeError(KIND.confirm, 'taker must be a node id');
  const reason = d.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 64)) {
    throw new EventShapeError(KIND.confirm, 'reason must be a short string');
  }
  const out: ConfirmData = {
    ...base,
    accept: uuid(KIND.confirm, d, 'accept'),
    taker,
    amount: count(KIND.confirm, d, 'amount', 0),
    acceptBody: bytes(KIND.confirm, d, 'acceptBody'),
    acceptSig: bytes(KIND.confirm, d, 'acceptSig'),
  };
  if (reason !== undefined) out.reason = reason;
  return out;
}

export function parseFill(d: Data): FillData {
  return { ...parseOwnerUpdate(KIND.fill, d), trade: uuid(KIND.fill, d, 'trade'), amount: count(KIND.fill, d, 'amount', 1) };
}

export function parseCancel(d: Data): CancelData {
  return parseOwnerUpdate(KIND.cancel, d);
}
