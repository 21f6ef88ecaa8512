/**
 * What this node has asked for and not yet been answered: its accepts in flight.
 * Two views of one set: by the order being taken (so the planner never asks an owner
 * for more than is left after our own pending asks), and by the order of ours that is
 * taking (so, when our resting order takes an older crossing one, nobody else is
 * granted the part of it we have promised).
 */
export interface Reservation {
  acceptId: string;
  /** The order being taken. */
  orderId: string;
  /** Our own order on whose behalf we take, if any (crossing resolution). */
  forOrder: string | null;
  amount: number;
}

export class Reservations {
  private readonly byAccept = new Map<string, Reservation>();
  private readonly onOrder = new Map<string, number>();
  private readonly forOrder = new Map<string, number>();

  add(r: Reservation): void {
    this.byAccept.set(r.acceptId, r);
    bump(this.onOrder, r.orderId, r.amount);
    if (r.forOrder !== null) bump(this.forOrder, r.forOrder, r.amount);
  }

  get(acceptId: string): Reservation | undefined {
    return this.byAccept.get(acceptId);
  }

  release(acceptId: string): Reservation | undefined {
    const r = this.byAccept.get(acceptId);
    if (!r) return undefined;
    this.byAccept.delete(acceptId);
    bump(this.onOrder, r.orderId, -r.amount);
    if (r.forOrder !== null) bump(this.forOrder, r.forOrder, -r.amount);
    return r;
  }

  /** Sats of `orderId` we have asked for and not been answered on. */
  reservedOn(orderId: string): number {
    return this.onOrder.get(orderId) ?? 0;
  }

  /** Sats our order `orderId` is trying to take elsewhere right now. */
  takingFor(orderId: string): number {
    return this.forOrder.get(orderId) ?? 0;
  }

  get size(): number {
    return this.byAccept.size;
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const v = (m.get(k) ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}
