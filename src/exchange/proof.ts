/**
 * Judging a proof: do two events, both signed by one origin, show that it contradicted
 * itself? Pure and stateless — it looks at the two events only — so every node that is
 * handed the same pair reaches the same verdict, whatever else it has seen.
 *
 * Each event must be valid on its own (its kind's shape and the checks that need no
 * state): an invalid event is simply refused wherever it arrives, so it can prove
 * nothing. Then one of:
 * - TWO_VERSIONS: the same event id, two different bodies.
 * - SEQ_CONFLICT: two owner updates of one order with one seq and different ids.
 * - OVERGRANT: two owner updates of one order where the later one's filled total is
 *   below the earlier one's plus what the later one adds (a grant's or fill's amount).
 *   An honest owner never lowers filled and every grant adds to it, so no honest pair
 *   ever looks like this — and any overgrant produces such a pair between two
 *   consecutive updates.
 */
import { EventShapeError, KIND, type ConfirmData, type FillData, type OwnerUpdateData } from './events';
import type { DisputeReason } from './disputes';
import { KINDS, type OpenSigned, type SignedEvent } from './kinds';

export interface Verdict {
  origin: string;
  reason: DisputeReason;
  /** Orders the contradiction is about (disputed). */
  orders: string[];
  /** An accept signed in two versions (trades made from it are disputed). */
  accept: string | null;
}

/** Why a pair proves nothing (a false accusation when a peer sent it). */
export const NO_PROOF = {
  ORIGINS: 'NOT_ONE_ORIGIN',
  SAME: 'SAME_EVENT',
  INVALID: 'INVALID_EVENT',
  UNRELATED: 'NOT_A_CONFLICT',
} as const;

const UPDATES: ReadonlySet<string> = new Set([KIND.confirm, KIND.fill, KIND.cancel]);

/** The event's data read and checked as if it were alone (no state), or null when invalid. */
function alone(ev: SignedEvent, open: OpenSigned): unknown | null {
  const handler = KINDS.get(ev.kind);
  if (!handler) return null;
  try {
    const data = handler.parse(ev.data, ev.raw.body.length);
    const checked = handler.check(ev, data, null, open);
    return typeof checked === 'string' ? null : data;
  } catch (err) {
    if (err instanceof EventShapeError) return null;
    throw err;
  }
}

/** What an owner update adds to the order's filled total. */
function grantOf(kind: string, d: OwnerUpdateData): number {
  if (kind === KIND.confirm) return (d as ConfirmData).amount;
  if (kind === KIND.fill) return (d as FillData).amount;
  return 0;
}

function ordersOf(ev: SignedEvent, data: unknown): string[] {
  if (ev.kind === KIND.add) return [ev.id];
  if (UPDATES.has(ev.kind)) return [(data as OwnerUpdateData).order];
  return [];
}

export function judge(a: SignedEvent, b: SignedEvent, open: OpenSigned): Verdict | string {
  if (a.origin !== b.origin) return NO_PROOF.ORIGINS;
  if (a.id === b.id && Buffer.compare(a.raw.body, b.raw.body) === 0) return NO_PROOF.SAME;
  const da = alone(a, open);
  const db = alone(b, open);
  if (da === null || db === null) return NO_PROOF.INVALID;
  if (a.id === b.id) {
    const orders = [...new Set([...ordersOf(a, da), ...ordersOf(b, db)])];
    const accept = a.kind === KIND.accept || b.kind === KIND.accept ? a.id : null;
    return { origin: a.origin, reason: 'TWO_VERSIONS', orders, accept };
  }
  if (!UPDATES.has(a.kind) || !UPDATES.has(b.kind)) return NO_PROOF.UNRELATED;
  const ua = da as OwnerUpdateData;
  const ub = db as OwnerUpdateData;
  if (ua.order !== ub.order) return NO_PROOF.UNRELATED;
  const verdict = (reason: DisputeReason): Verdict => ({ origin: a.origin, reason, orders: [ua.order], accept: null });
  if (ua.seq === ub.seq) return verdict('SEQ_CONFLICT');
  const [lo, hi, hiKind] = ua.seq < ub.seq ? [ua, ub, b.kind] : [ub, ua, a.kind];
  if (hi.filled < lo.filled + grantOf(hiKind, hi)) return verdict('OVERGRANT');
  return NO_PROOF.UNRELATED;
}
