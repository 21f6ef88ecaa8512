/**
 * Order events carried by the gossip layer: each kind's payload (`data`) declared once,
 * exactly — known keys, types, bounds, and a byte bound on the whole signed body — with
 * the wire's schema language (src/wire/schema.ts). A key nobody reads is refused, so no
 * padding is ever stored or relayed, and every node reads a body the same way.
 *
 * Owner updates (`order.confirm`, `order.fill`, `order.cancel`) each carry the order's
 * signed `order.add` (its exact bytes and signature). A node that sees an update before
 * the add (gossip over different paths can reorder them) can therefore still check that
 * the update comes from the order's owner, learn the order, and apply the update at
 * once, instead of holding it unverified.
 */
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from '../book/units';
import { MAX_ENVELOPE_BYTES, MAX_EVENT_TS, UUID_V7 } from '../wire/event-body';
import { SIG_BYTES } from '../wire/messages';
import { array, bin, declare, exact, oneOf, optional, parseDeclared, SchemaError, str, uint, type Declaration, type Schema } from '../wire/schema';
import type { OrderStatus, Side } from './api';
import { MAX_OPEN_ORDERS } from './currency';

export const KIND = {
  add: 'order.add',
  accept: 'order.accept',
  confirm: 'order.confirm',
  fill: 'order.fill',
  cancel: 'order.cancel',
  heartbeat: 'node.heartbeat',
  refresh: 'order.refresh',
} as const;
export type OrderEventKind = (typeof KIND)[keyof typeof KIND];

/**
 * Highest sequence number of an owner update: four billion updates of one order. Bounded
 * so that what any owner sends is something every node can count past and re-encode.
 */
export const MAX_SEQ = 0xffff_ffff;
/** A refusal reason: a stable code, e.g. PARTIAL_FILL. */
export const MAX_REASON_BYTES = 64;

const uuid = str({ minBytes: 36, maxBytes: 36, pattern: UUID_V7, want: 'a lowercase UUIDv7' });
const nodeId = str({ minBytes: 64, maxBytes: 64, pattern: /^[0-9a-f]{64}$/, want: 'a node id (64 lowercase hex)' });
const sats = (min: number): Schema<number> => uint(min, MAX_AMOUNT_SATS);

/** A kind's payload and the byte bound of its whole signed body. */
function kind<T>(schema: Schema<T>): Declaration<T> {
  return declare(schema, MAX_ENVELOPE_BYTES + schema.maxBytes);
}

const ADD = kind(exact({ side: oneOf('buy', 'sell'), price: uint(1, MAX_PRICE_CENTS), amount: sats(1) }));
const ACCEPT = kind(exact({ order: uuid, amount: sats(1), deadline: uint(0, MAX_EVENT_TS) }));

/** Fields every owner update carries. The embedded add can be no larger than an add body. */
const OWNER_UPDATE = {
  order: uuid,
  seq: uint(1, MAX_SEQ),
  filled: sats(0),
  status: oneOf('open', 'filled', 'cancelled'),
  add: bin({ min: 1, max: ADD.maxBytes }),
  addSig: bin(SIG_BYTES),
};

const CONFIRM = kind(
  exact({
    ...OWNER_UPDATE,
    accept: uuid,
    taker: nodeId,
    amount: sats(0),
    reason: optional(str({ minBytes: 1, maxBytes: MAX_REASON_BYTES, pattern: /^[A-Z][A-Z_]*$/, want: 'a reason code (A-Z and _)' })),
    acceptBody: bin({ min: 1, max: ACCEPT.maxBytes }),
    acceptSig: bin(SIG_BYTES),
  }),
);
const FILL = kind(exact({ ...OWNER_UPDATE, trade: uuid, amount: sats(1) }));
const CANCEL = kind(exact(OWNER_UPDATE));
const HEARTBEAT = kind(exact({}));
const REFRESH = kind(exact({ orders: array(uuid, { max: MAX_OPEN_ORDERS }) }));

/** Every kind's declaration: what PROTOCOL.md's "Order events" table lists. */
export const DECLARATIONS = {
  [KIND.add]: ADD,
  [KIND.accept]: ACCEPT,
  [KIND.confirm]: CONFIRM,
  [KIND.fill]: FILL,
  [KIND.cancel]: CANCEL,
  [KIND.heartbeat]: HEARTBEAT,
  [KIND.refresh]: REFRESH,
} as const;

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

type Data = Record<string, unknown>;

/** Checks a payload against its kind's declaration; `bodyBytes` is the signed body's size. */
function read<T>(decl: Declaration<T>, kindName: string, d: Data, bodyBytes: number): T {
  try {
    return parseDeclared(decl, d, bodyBytes, 'data');
  } catch (err) {
    if (err instanceof SchemaError) throw new EventShapeError(kindName, err.message);
    throw err;
  }
}

export const parseAdd = (d: Data, bodyBytes: number): AddData => read(ADD, KIND.add, d, bodyBytes);
export const parseAccept = (d: Data, bodyBytes: number): AcceptData => read(ACCEPT, KIND.accept, d, bodyBytes);
export const parseConfirm = (d: Data, bodyBytes: number): ConfirmData => read(CONFIRM, KIND.confirm, d, bodyBytes) as ConfirmData;
export const parseFill = (d: Data, bodyBytes: number): FillData => read(FILL, KIND.fill, d, bodyBytes);
export const parseCancel = (d: Data, bodyBytes: number): CancelData => read(CANCEL, KIND.cancel, d, bodyBytes);
export const parseHeartbeat = (d: Data, bodyBytes: number): Record<string, never> => read(HEARTBEAT, KIND.heartbeat, d, bodyBytes);

/** `order.refresh`: the owner vouches, now, for these open orders of its own (see currency.ts). */
export interface RefreshData {
  orders: string[];
}
export const parseRefresh = (d: Data, bodyBytes: number): RefreshData => read(REFRESH, KIND.refresh, d, bodyBytes);
