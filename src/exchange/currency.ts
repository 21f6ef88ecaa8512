/**
 * Which resting orders are current. An order can rest far longer than the gossip window
 * (5 min), but the network only ever checks an event's time against that window — so an
 * order's owner re-vouches for its open orders now and then with a signed
 * `order.refresh` listing them (as Bisq re-publishes offers with a TTL). Rules, the same
 * on every path (gossip, sync, our own store):
 *
 * - An order is current while its owner has signed something about it (its add, an
 *   update, or a refresh listing it) within ORDER_TTL_MS. A non-current order is not
 *   shown, not matched and not passed on in sync ("dormant"); a later refresh listing it
 *   makes it current again.
 * - An event older than the gossip window is taken from a sync only if it is about an
 *   order its owner vouches for now (its add or an owner update of it), so nobody can
 *   inject an old, closed or never-vouched order through a sync; and no order older than
 *   MAX_ORDER_AGE_MS is current anywhere (its owner re-places it).
 * - An owner has at most MAX_OPEN_ORDERS open orders; past that, of all its open orders
 *   every node keeps the ones with the smallest ids (the oldest), whatever order it saw
 *   them in.
 *
 * Pure: time comes in.
 */
import type { SignedBytes } from './order-ledger';

/** How often an owner with open orders signs a refresh of them. */
export const REFRESH_MS = 60_000;
/**
 * An order its owner has not signed anything about for this long is dormant. Four
 * refresh periods (three may be lost), and below the 5-minute gossip window, so the
 * refresh that vouches is always one every node can check as fresh.
 */
export const ORDER_TTL_MS = 4 * REFRESH_MS;
/** Orders older than this are not current anywhere: a month of resting, then re-place it. */
export const MAX_ORDER_AGE_MS = 30 * 24 * 60 * 60_000;
/**
 * Open orders per owner. Generous for a person or a market maker's script; it bounds what
 * one key can make every node keep (the flood kept 20,000 orders everywhere), and
 * fits one refresh event.
 */
export const MAX_OPEN_ORDERS = 100;
/** Owners whose latest refresh is kept: bounded against throwaway keys. */
export const MAX_VOUCHING_OWNERS = 100_000;

interface Vouch {
  ts: number;
  ids: ReadonlySet<string>;
  raw: SignedBytes;
}

/** Each owner's latest refresh. */
export class Vouches {
  private readonly latest = new Map<string, Vouch>();

  /** Records a refresh; returns the ids it vouches for when it is the owner's newest, else null. */
  record(owner: string, ts: number, ids: readonly string[], raw: SignedBytes): ReadonlySet<string> | null {
    const prev = this.latest.get(owner);
    if (prev && (ts < prev.ts || (ts === prev.ts && Buffer.compare(raw.body, prev.raw.body) >= 0))) return null;
    this.latest.delete(owner);
    if (this.latest.size >= MAX_VOUCHING_OWNERS) this.latest.delete(this.latest.keys().next().value as string);
    const v: Vouch = { ts, ids: new Set(ids), raw };
    this.latest.set(owner, v);
    return v.ids;
  }

  /** When `owner` last vouched for `orderId` (its latest refresh, if that lists it). */
  vouchedAt(owner: string, orderId: string): number | null {
    const v = this.latest.get(owner);
    return v && v.ids.has(orderId) ? v.ts : null;
  }

  /** Latest refresh per owner, for book sync (sent before the orders they vouch for). */
  *raws(): Generator<SignedBytes> {
    for (const v of this.latest.values()) yield v.raw;
  }
}

/** Is an order whose owner last signed about it at `signedAt`, placed at `ts`, current at `now`? */
export function isCurrent(ts: number, signedAt: number, now: number): boolean {
  return now - signedAt <= ORDER_TTL_MS && now - ts <= MAX_ORDER_AGE_MS;
}
