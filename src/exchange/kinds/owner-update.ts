/**
 * What confirm, fill and cancel share: they are owner updates. Each carries the order's
 * full state after it (filled, status) and a sequence number, and embeds the order's
 * signed add, so any node can check that the update's signer is the order's owner —
 * and learn the order — even if the update arrives first.
 */
import { EventShapeError, KIND, parseAdd, type AddData, type OwnerUpdateData } from '../events';
import type { OrderRecord } from '../order-ledger';
import type { ExchangeState } from '../state';
import { learnOrder } from './add';
import { INVALID, type Arrival, type Effects, type OpenSigned, type SignedEvent } from './types';

export interface OwnerChecked<D extends OwnerUpdateData> {
  data: D;
  /** The embedded add, verified. */
  add: SignedEvent;
  addData: AddData;
}

export function checkOwnerUpdate<D extends OwnerUpdateData>(ev: SignedEvent, data: D, open: OpenSigned): OwnerChecked<D> | string {
  const add = open(data.add, data.addSig);
  if (!add || add.kind !== KIND.add || add.id !== data.order) return INVALID.BAD_ADD;
  // The heart of the owner rule: an update counts only if signed by whoever signed the add.
  if (add.origin !== ev.origin) return INVALID.NOT_OWNER;
  const addData = tryParse(() => parseAdd(add.data, add.raw.body.length));
  if (!addData) return INVALID.BAD_ADD;
  if (data.filled > addData.amount) return INVALID.OVERFILL;
  const full = data.filled === addData.amount;
  if ((data.status === 'filled') !== full && data.status !== 'cancelled') return INVALID.STATUS;
  return { data, add, addData };
}

/**
 * Applies an owner update by sequence number; learns the order from the embedded add if
 * new. `record` notes what the update reports (a trade, a fill) before anyone is told
 * the order changed, so they see it whole.
 */
export function applyOwnerUpdate<D extends OwnerUpdateData>(
  ev: SignedEvent,
  c: OwnerChecked<D>,
  kind: string,
  st: ExchangeState,
  fx: Effects,
  arrival: Arrival,
  record: (rec: OrderRecord) => void = () => {},
): OrderRecord | null {
  const known = st.ledger.get(c.data.order);
  // An update embedding another version of the order's add: its owner signed two adds.
  if (known && Buffer.compare(known.add.body, c.add.raw.body) !== 0) fx.proven(known.add, c.add.raw);
  learnOrder(c.add, c.addData, st, fx, { ...arrival, hops: null });
  const rec = st.ledger.get(c.data.order);
  if (!rec) return null;
  // What this update adds to the filled total: a grant's or a fill's amount.
  const grant = kind === KIND.cancel ? 0 : (c.data as unknown as { amount: number }).amount;
  const outcome = st.ledger.update(rec, ev, c.data, grant);
  record(rec);
  if (outcome === 'applied') fx.changed(rec, kind);
  return rec;
}

/** The parsed value, or null when it is not of its declared shape (an embedded event). */
export function tryParse<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch (err) {
    if (err instanceof EventShapeError) return null;
    throw err;
  }
}
