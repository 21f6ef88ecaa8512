/**
 * What one order-event kind declares: how its payload is read (parse), what every node
 * checks before taking it (check), and what taking it does (apply) — one handler per
 * kind over one state object (ExchangeState). The pipeline (../pipeline.ts) runs them
 * for events from peers, from the store, and for our own.
 */
import type { PeerView } from '../../net/peer-view';
import type { ConfirmData, AcceptData } from '../events';
import type { EventMeta, GoneOrder, OrderRecord, SignedBytes } from '../order-ledger';
import type { ExchangeState } from '../state';
import type { TradeView } from '../api';

/** A verified event as the exchange sees it (the network layer's GossipEvent fits). */
export interface SignedEvent extends EventMeta {
  kind: string;
  data: Record<string, unknown>;
}

/** Verifies and decodes signed bytes carried inside another event (an owner update's add). */
export type OpenSigned = (body: Uint8Array, sig: Uint8Array) => SignedEvent | null;

/** Where an event came from, and so what it may cause. */
export interface Arrival {
  /** 'gossip': live from a peer; 'sync': a peer's book sync; 'store': our own replay; 'self': we made it. */
  via: 'gossip' | 'sync' | 'store' | 'self';
  from: PeerView | null;
  /** Relays so far (gossip only). */
  hops: number | null;
}

/**
 * What applying an event may set off outside the state: the exchange implements these
 * (owner desk, takes, placement, logs, events). Applying never publishes synchronously;
 * effects that publish are deferred until the event is fully handled.
 */
export interface Effects {
  /** A new order of another owner entered our book. */
  learned(rec: OrderRecord, arrival: Arrival): void;
  /** An accept of our open order arrived live: decide it. */
  answer(rec: OrderRecord, accept: SignedEvent, data: AcceptData): void;
  /** A peer still holds open an order of ours we pruned: restate its final state. */
  restate(gone: GoneOrder): void;
  /** An owner update was applied: the order's state changed. */
  changed(rec: OrderRecord, kind: string): void;
  /** A confirm recorded a new trade. */
  traded(trade: TradeView): void;
  /** The owner answered one of our accepts (grant or refusal). */
  answered(data: ConfirmData, trade: TradeView | null): void;
  /** An order we were taking from closed without answering us: our take may be over. */
  closedUnder(rec: OrderRecord): void;
  /** An owner's newest refresh vouches for these orders of its own now. */
  vouched(owner: string, orders: ReadonlySet<string>): void;
  /** An owner's liveness changed (stale or back). */
  livenessChanged(node: string, stale: boolean): void;
  /** An event was refused by the book (absurd sizes). */
  refused(ev: SignedEvent, code: string, reason: string): void;
  /**
   * Two events of one origin that may prove it contradicted itself (kinds find some,
   * e.g. an update embedding another version of the order's add). Returns the verdict:
   * 'new', 'known', or why they prove nothing.
   */
  proven(a: SignedBytes, b: SignedBytes): string;
}

export interface KindHandler<D, C = D> {
  readonly kind: string;
  /** The payload's exact shape (and the body's byte bound); throws EventShapeError. */
  parse(data: Record<string, unknown>, bodyBytes: number): D;
  /**
   * Checks beyond shape every node runs before taking the event: the checked form, or a
   * refusal code. With `st` null, only what the event itself shows (judging a proof).
   */
  check(ev: SignedEvent, data: D, st: ExchangeState | null, open: OpenSigned): C | string;
  /** Takes the event into the state. Returns whether it is worth keeping (store, sync). */
  apply(ev: SignedEvent, checked: C, st: ExchangeState, fx: Effects, arrival: Arrival): boolean;
}

/** Refusal codes of the checks (docs/PROTOCOL.md, "Order events"). */
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
