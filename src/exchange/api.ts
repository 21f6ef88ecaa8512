/**
 * The in-process API of one exchange node: what tests, the pm2 actions and any
 * embedding program use. Amounts are satoshis, prices are US cents per BTC, both safe
 * integers. Node ids are lowercase hex Ed25519 public keys (64 chars).
 */
import type { DepthLevel, Side } from '../book/types';
import type { PeerView } from '../net/peer-view';

export type { DepthLevel, Side };
export type OrderStatus = 'open' | 'filled' | 'cancelled';

export interface PlaceInput {
  side: Side;
  /** Limit price, cents per BTC. */
  price: number;
  /** Satoshis. */
  amount: number;
}

export interface OrderView {
  id: string;
  owner: string;
  side: Side;
  price: number;
  /** Original amount, sats. */
  amount: number;
  filled: number;
  remaining: number;
  status: OrderStatus;
  /** Owner not heard from within the liveness bound: shown, never matched. */
  stale: boolean;
  /** Owner's placement time, ms since epoch (the owner's clock). */
  ts: number;
  /** Owner update sequence number (0 = just added). */
  seq: number;
  /**
   * Set when its owner is proven to have contradicted itself about this order
   * (TWO_VERSIONS, SEQ_CONFLICT, OVERGRANT): out of the book for good, its trades disputed.
   */
  disputed?: string;
  /** Set when its owner is proven to equivocate (about any event): shown, never matched. */
  equivocator?: true;
  /** Set when its owner has not vouched for it lately, or it is past its owner's cap: out of the book until vouched again. */
  dormant?: true;
}

export interface TradeView {
  /** Id of the accept event that produced it (unique network-wide). */
  id: string;
  orderId: string;
  maker: string;
  taker: string;
  /** The maker order's side. */
  side: Side;
  amount: number;
  price: number;
  /** When the owner confirmed, ms since epoch (owner's clock). */
  ts: number;
  /** Set when the trade stands on a contradiction (its order or its accept is disputed): not a settled trade. */
  disputed?: true;
}

export interface Refusal {
  orderId: string;
  requested: number;
  reason: string;
}

/**
 * An accept whose owner did not answer before the taker stopped waiting: a grant
 * decided in time may still arrive until `until` (ms since epoch).
 */
export interface PendingTake {
  acceptId: string;
  orderId: string;
  /** Sats asked. */
  requested: number;
  /** Until then a late grant may still land (and is booked); after it, nothing will. */
  until: number;
  /** Our resting order a late grant fills, if any. */
  forOrder: string | null;
}

export interface PlaceResult {
  requested: number;
  filled: number;
  /** Sats of the new order left resting (0 when fully filled or nothing could rest). */
  rested: number;
  /** The resting order, when something rests. */
  order: OrderView | null;
  fills: TradeView[];
  refused: Refusal[];
  /** Why a remainder did not rest (e.g. SELF_TRADE), if so. */
  remainderCancelled?: { amount: number; reason: string };
  /**
   * Legs whose owner had not answered when place() returned (it returns within one
   * accept timeout). Their amount is neither filled nor rested yet: a late grant makes
   * it a trade; if none comes by `until`, it rests then as a new order of ours.
   */
  pending: PendingTake[];
}

export interface AcceptResult {
  orderId: string;
  requested: number;
  filled: number;
  trade: TradeView | null;
  /** Set when the owner filled less than asked (possibly zero). */
  reason?: string;
  /** Set exactly when the outcome is unknown (reason OUTCOME_UNKNOWN): the owner may still grant it. */
  pending?: PendingTake;
}

export interface BookView {
  bids: OrderView[];
  asks: OrderView[];
  depth: { bids: DepthLevel[]; asks: DepthLevel[] };
}

/** A connected peer, as the network layer reports it. */
export type { PeerView };

export interface StatusView {
  nodeId: string;
  host: string;
  port: number;
  uptimeMs: number;
  peers: number;
  orders: { bids: number; asks: number; stale: number; mine: number };
  trades: number;
  eventsIn: number;
  eventsOut: number;
  /**
   * Takes whose owner did not answer in time: `unknown` since start, `landed` = late
   * grants that arrived and were booked, `lapsed` = unknown takes whose hold ended with
   * no grant.
   */
  late: { unknown: number; landed: number; lapsed: number };
  /** What this node has proof of: equivocating origins, disputed orders and accepts. */
  disputes?: { equivocators: number; orders: number; accepts: number };
  /** Fair service (docs/POLICY.md): what was refused or throttled, and who is penalised. */
  limits?: LimitsView;
}

export interface LimitsView {
  /** Events refused since start, per reason (over a budget, a check, too old...). */
  refused: Record<string, number>;
  /** Accepts of our orders left unanswered: one taker asked one order too often. */
  acceptsIgnored: number;
  /** Owners left out of matching for now: they let our accepts run out. */
  ownersCooling: number;
  /** When the last of those pauses ends (ms since epoch, this node's clock); null if none. */
  coolingUntil: number | null;
  /** Peer-layer counters: links evicted, refused when full, dropped by score, addresses not read... */
  peers: Record<string, number>;
  /** Peers whose score is low now, and bans (until: ms since epoch, or null if only penalised). */
  penalised: Array<{ peer: string; score: number; until: number | null }>;
}

/** Errors the API raises carry a stable `code`; the operator layer reports it as is. */
export class ExchangeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export interface ExchangeApi {
  readonly nodeId: string;
  place(input: PlaceInput): Promise<PlaceResult>;
  /** Take all (amount omitted) or part of one order; resolves once the owner has answered. */
  accept(orderId: string, amount?: number): Promise<AcceptResult>;
  cancel(orderId: string): Promise<OrderView>;
  connect(host: string, port: number): Promise<PeerView>;
  book(): BookView;
  myOrders(): OrderView[];
  trades(): TradeView[];
  peers(): PeerView[];
  status(): StatusView;
  /** Equal on two nodes exactly when their books are equal. */
  digest(): string;
  /** Resolves when nothing is in flight (no pending accepts, no unsent frames). */
  quiescent(): Promise<void>;
  close(): Promise<void>;
}

/** How a node is started (see src/exchange/exchange.ts, `Exchange.start`). */
export interface ExchangeOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 = any free one. */
  port?: number;
  /**
   * Holds the node's key, known peers and event store; created if missing. Required
   * unless the key and the store are given another way (tests, the simulator).
   */
  dataDir?: string;
  /** Addresses dialled at start (peer exchange finds the rest). */
  peers?: Array<{ host: string; port: number }>;
  log?: import('../log/logger').Logger;
}
