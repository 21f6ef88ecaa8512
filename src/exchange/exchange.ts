/**
 * One exchange node: the network layer below, the order state and matching in the
 * middle, the in-process API on top. This file builds the parts, wires them (what
 * applying an event sets off), owns the periodic jobs, and answers the API; decisions
 * live in small files (kinds/, owner.ts, take.ts, placement.ts, crossings.ts).
 *
 * Construct, wire, then start: `Exchange.create()` builds everything without I/O,
 * `start()` replays the store, listens and dials. `Exchange.start()` does both.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock/clock';
import { realClock } from '../clock/real-clock';
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from '../book/units';
import type { Identity } from '../identity/identity';
import { silentLogger, type Logger } from '../log/logger';
import { ConnectError, NetNode, openSigned, type GossipEvent, type NetOptions, type PeerView as NetPeer } from '../net/node';
import type { EventStore } from '../store/event-store';
import { LmdbEventStore } from '../store/lmdb-store';
import type { Transport } from '../transport/transport';
import {
  ExchangeError,
  type AcceptResult,
  type BookView,
  type ExchangeApi,
  type ExchangeOptions,
  type OrderView,
  type PeerView,
  type PlaceInput,
  type PlaceResult,
  type StatusView,
  type TradeView,
} from './api';
import { Admission } from './admission';
import { isDust, MIN_TAKE_SATS } from './kinds/accept';
import { Cooldown } from './cooldown';
import { MAX_OPEN_ORDERS, REFRESH_MS } from './currency';
import { Crossings } from './crossings';
import { KIND } from './events';
import type { Arrival, Effects, SignedEvent } from './kinds';
import type { OrderRecord } from './order-ledger';
import { OwnerDesk } from './owner-desk';
import { EventPipeline, OwnBudgetSpent } from './pipeline';
import { Placement } from './placement';
import { ExchangeState } from './state';
import { Takes, type LateFill } from './take';
import { bodyHash } from '../gossip/seen-set';
import { PROOF_KNOWN, PROOF_NEW } from '../net/node';
import { PROOF_KEY_PREFIX } from './pipeline';
import { judge, NO_PROOF } from './proof';

export interface ExchangeTuning {
  /**
   * How long an owner has to answer an accept (the accept's deadline). Default 2 s:
   * honest owners answer in milliseconds (measured: p99.9 0.3 s on loopback, 0.7 s over
   * 50–150 ms links, bench:adversary answer-times); 2 s leaves room for a busy owner
   * without letting a silent one hold a placement for long.
   */
  acceptTimeoutMs: number;
  /** Largest clock difference tolerated between peers; also the handshake's bound. Default 5 s. */
  clockBoundMs: number;
  /** Owner heartbeat period. Default 2 s. */
  heartbeatMs: number;
  /** An owner not heard from for this long has its orders marked stale. Default 10 s. */
  staleAfterMs: number;
  /** How long filled/cancelled orders are remembered to absorb late events. Default 10 min. */
  retainMs: number;
  /**
   * After the last moment an owner may still grant an unanswered accept (deadline + 2 ×
   * clock bound), how long a grant in transit is taken (booked) and the amount stays
   * reserved. Default 5 s.
   */
  lateHoldMs: number;
  /** How often we sign a refresh of our open orders (currency.ts). Default 60 s. */
  refreshMs: number;
  /** Open orders kept per owner, ours included (currency.ts). Default 100. */
  maxOpenOrders: number;
}

export const DEFAULT_TUNING: ExchangeTuning = {
  acceptTimeoutMs: 2_000,
  clockBoundMs: 5_000,
  heartbeatMs: 2_000,
  staleAfterMs: 10_000,
  retainMs: 10 * 60_000,
  lateHoldMs: 5_000,
  refreshMs: REFRESH_MS,
  maxOpenOrders: MAX_OPEN_ORDERS,
};

export interface ExchangeStartOptions extends ExchangeOptions {
  tuning?: Partial<ExchangeTuning>;
  /** Passed through to the network layer (targets, backoff, timeouts...). */
  net?: Partial<NetOptions>;
  /** Time, timers and randomness (default: the real ones). */
  clock?: Clock;
  /** How streams are made (default: TCP). */
  transport?: Transport;
  /** Where applied events are kept (default: LMDB in `<dataDir>/store`). */
  store?: EventStore;
  /** The node's key (default: `<dataDir>/node.key`, created on first start). */
  identity?: Identity;
}

/** What the exchange tells embedders (a typed event map: `exchange.on('trade', t => ...)`). */
export interface ExchangeEvents {
  /** An order entered our book or changed (ours or a peer's). */
  order: [order: OrderView];
  /** A trade was recorded (every node records every trade). */
  trade: [trade: TradeView];
  peer: [peer: PeerView];
  'peer-closed': [peer: PeerView, code: string];
  'sync-done': [from: PeerView, events: number];
  'owner-stale': [node: string];
  'owner-live': [node: string];
  /** A grant for an accept of ours whose outcome had been reported unknown. */
  'late-fill': [fill: LateFill];
}

export class Exchange extends EventEmitter<ExchangeEvents> implements ExchangeApi {
  readonly nodeId: string;
  private readonly st: ExchangeState;
  private readonly pipeline: EventPipeline;
  private readonly desk: OwnerDesk;
  private readonly takes: Takes;
  private readonly crossings: Crossings;
  private readonly placement: Placement;
  private readonly cooldown = new Cooldown();
  private readonly admission: Admission;
  private readonly timers: TimerHandle[] = [];
  /** Per peer whose book sync is under way: orders it taught us so far. */
  private readonly syncing = new Map<string, number>();
  private startedAt = 0;
  private closed = false;
  private restoring = false;

  private constructor(
    private readonly net: NetNode,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly tuning: ExchangeTuning,
  ) {
    super();
    this.nodeId = net.nodeId;
    this.st = new ExchangeState(this.nodeId, clock, tuning);
    this.admission = new Admission(clock, (peer, outcome) => void net.report(peer, outcome), log);
    this.pipeline = new EventPipeline(this.st, net, store, clock);
    const publish = (kind: string, data: Record<string, unknown>): GossipEvent => this.pipeline.publish(kind, data);
    this.desk = new OwnerDesk({ st: this.st, publish, log, clockBoundMs: tuning.clockBoundMs });
    this.takes = new Takes({
      clock,
      st: this.st,
      acceptTimeoutMs: tuning.acceptTimeoutMs,
      clockBoundMs: tuning.clockBoundMs,
      lateHoldMs: tuning.lateHoldMs,
      sendAccept: (order, amount, deadline) => publish(KIND.accept, { order, amount, deadline }).id,
      bookFill: (forOrder, acceptId, amount) => {
        const mine = this.st.ledger.get(forOrder);
        return mine ? this.desk.fill(mine, acceptId, amount) : 0;
      },
      lateFill: (f) => this.lateFill(f),
      holdEnded: () => this.crossings.resolveAll(),
      unanswered: (orderId) => this.unanswered(orderId),
    });
    const excluded = (owner: string): boolean => owner !== this.nodeId && (this.st.unmatchable(owner) || this.cooldown.cooling(owner, clock.now()));
    this.crossings = new Crossings({ st: this.st, takes: this.takes, clock, log, retryMs: tuning.acceptTimeoutMs + tuning.clockBoundMs, excluded });
    this.placement = new Placement({ st: this.st, takes: this.takes, desk: this.desk, crossings: this.crossings, clock, log, acceptTimeoutMs: tuning.acceptTimeoutMs, excluded });
    // Wire: what applying an event sets off, and the network's hooks.
    this.st.onContradiction = (_rec, [a, b]) => void this.proven(a, b, true);
    this.pipeline.wire(this.effects(), {
      peerOpened: (p) => {
        this.syncing.set(p.nodeId, 0);
        this.emit('peer', p);
      },
      peerClosed: (p, code) => {
        this.syncing.delete(p.nodeId);
        this.emit('peer-closed', p, code);
      },
      syncDone: (from, count) => this.syncDone(from, count),
      syncSource: () => this.syncSource(),
      proof: (a, b) => this.proven(a.raw, b.raw, false),
      proofs: () => this.st.disputes.proofs(),
    }, this.admission);
    net.setApp(this.pipeline);
  }

  /** Builds a node without any I/O (construct and wire); start() brings it up. */
  static create(opts: ExchangeStartOptions): Exchange {
    const tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    const clock = opts.clock ?? realClock;
    const log = opts.log ?? silentLogger;
    const net = NetNode.create({
      host: opts.host,
      port: opts.port ?? 0,
      dataDir: opts.dataDir,
      identity: opts.identity,
      peers: opts.peers,
      maxClockSkewMs: tuning.clockBoundMs,
      clock,
      transport: opts.transport,
      log,
      ...opts.net,
    });
    if (opts.dataDir === undefined && (!opts.store || !opts.identity)) {
      throw new ExchangeError('BAD_CONFIG', 'a data directory is needed unless both the store and the identity are given');
    }
    const store = opts.store ?? LmdbEventStore.open(opts.dataDir as string);
    return new Exchange(net, store, clock, log, tuning);
  }

  /** create() then start(): the usual way. */
  static async start(opts: ExchangeStartOptions): Promise<Exchange> {
    const ex = Exchange.create(opts);
    await ex.start();
    return ex;
  }

  /** Replays the store, starts the periodic jobs, listens and dials. */
  async start(): Promise<void> {
    this.startedAt = this.clock.now();
    try {
      this.restore();
      const every = (ms: number, fn: () => void): void => void this.timers.push(this.clock.setInterval(fn, ms));
      every(this.tuning.heartbeatMs, () => this.heartbeat());
      every(this.tuning.refreshMs, () => this.refresh());
      every(Math.max(1000, Math.min(10_000, this.tuning.refreshMs / 6)), () => this.sweepCurrency());
      every(Math.max(10, Math.min(this.tuning.heartbeatMs, this.tuning.staleAfterMs / 4)), () => this.sweepLiveness());
      every(Math.max(1000, this.tuning.retainMs / 10), () => this.st.ledger.prune());
      // Anti-entropy for crossings: retries of a crossing stop after a few refusals; this
      // gives every crossing of ours a fresh start now and then, so a quiet network does
      // not stay crossed after the refusals' cause (a hold, a cut link) is gone.
      every(4 * (this.tuning.acceptTimeoutMs + this.tuning.clockBoundMs), () => this.recheckCrossings());
      await this.net.start();
      // Orders of ours replayed from the store are vouched for at once, not a period later.
      this.refresh();
      this.heartbeat();
    } catch (err) {
      // Nothing may outlive a failed start: not the listening socket, not the store.
      await this.close();
      throw err;
    }
  }

  // ---- what applying an event sets off -------------------------------------------------

  private effects(): Effects {
    return {
      learned: (rec, arrival) => this.learned(rec, arrival),
      answer: (rec, accept, data) => this.defer(() => this.desk.answer(rec, accept, data)),
      restate: (gone) => this.defer(() => this.desk.restate(gone)),
      changed: (rec, kind) => {
        if (!this.restoring) {
          if (kind === KIND.cancel && rec.status === 'cancelled') this.log.info('order.cancelled', { order: rec.id, owner: rec.owner, filled: rec.filled });
          else if (rec.status === 'filled') this.log.info('order.filled', { order: rec.id, owner: rec.owner, amount: rec.amount });
          this.emit('order', this.view(rec));
        }
        this.takes.orderChanged(rec.id);
      },
      traded: (t) => {
        if (this.restoring) return;
        this.log.info('trade', { trade: t.id, order: t.orderId, maker: t.maker, taker: t.taker, amount: t.amount, price: t.price });
        this.emit('trade', t);
      },
      answered: (data, trade) => this.takes.answered(data.accept, data.amount, trade, data.reason),
      closedUnder: (rec) => this.takes.orderChanged(rec.id),
      livenessChanged: (node, stale) => this.livenessChanged(node, stale),
      refused: (ev, code, reason) => this.log.warn('order.refused', { order: ev.id, owner: ev.origin, code, reason }),
      proven: (a, b) => this.proven(a, b, true),
      vouched: (owner, ids) => {
        for (const id of ids) {
          const rec = this.st.ledger.get(id);
          if (rec && rec.owner === owner && rec.dormant && this.st.isCurrent(rec) && this.st.ledger.setDormant(rec, false)) {
            if (!this.restoring) this.emit('order', this.view(rec));
          }
        }
      },
    };
  }

  /** Makes dormant the orders whose owners have not vouched for them lately (currency.ts). */
  private sweepCurrency(): void {
    for (const rec of this.st.ledger.all()) {
      // Our own orders are ours to vouch for (we refresh them); peers judge them by that.
      if (rec.owner === this.nodeId || rec.dormant || rec.disputed || rec.status !== 'open' || this.st.isCurrent(rec)) continue;
      if (this.st.ledger.setDormant(rec, true)) {
        this.log.info('order.dormant', { order: rec.id, owner: rec.owner });
        this.emit('order', this.view(rec));
      }
    }
  }

  /** Our owner's refresh: we vouch, now, for every open order of ours. */
  private refresh(): void {
    if (this.closed) return;
    const mine = this.st.ledger.mineOpen().map((r) => r.id).sort();
    if (mine.length > 0) this.pipeline.publish(KIND.refresh, { orders: mine });
  }

  /**
   * Two events of one origin that may prove it contradicted itself (found here, or
   * handed over by a peer). A verdict that teaches us something is recorded — the
   * origin left out of matching, the orders taken out of the book, trades on them
   * flagged disputed — kept in the store, and passed on (a proof we found ourselves goes
   * to every peer; the network layer forwards a peer's). Returns 'new', 'known', or why
   * the pair proves nothing.
   */
  private proven(a: { body: Uint8Array; sig: Uint8Array }, b: { body: Uint8Array; sig: Uint8Array }, found: boolean): string {
    const ea = openSigned(a.body, a.sig);
    const eb = openSigned(b.body, b.sig);
    if (!ea || !eb) return NO_PROOF.INVALID;
    const v = judge(ea, eb, openSigned);
    if (typeof v === 'string') return v;
    const d = this.st.disputes;
    let fresh = d.flagNode(v.origin, v.reason);
    if (fresh) this.log.warn('node.equivocated', { node: v.origin, reason: v.reason, proof: [ea.id, eb.id] });
    for (const id of v.orders) {
      fresh = d.disputeOrder(id, v.reason) || fresh;
      const rec = this.st.ledger.get(id);
      if (rec && this.st.ledger.dispute(rec, v.reason, [a, b])) {
        this.log.warn('order.disputed', { order: id, owner: rec.owner, reason: v.reason });
        if (!this.restoring) this.emit('order', this.view(rec));
        this.takes.orderChanged(id);
      }
    }
    if (v.accept !== null) fresh = d.disputeAccept(v.accept) || fresh;
    if (!fresh) return PROOF_KNOWN;
    const key = `${PROOF_KEY_PREFIX}${bodyHash(Buffer.concat([a.body, b.body])).toString('hex', 0, 16)}`;
    d.keepProof(key, [a, b]);
    this.store.put(`${key}~a`, a);
    this.store.put(`${key}~b`, b);
    if (found && !this.restoring) this.net.broadcastProof(a, b);
    return PROOF_NEW;
  }

  private learned(rec: OrderRecord, arrival: Arrival): void {
    // Replaying our store is quiet; crossings are resolved once after it.
    if (arrival.via === 'store') return;
    if (arrival.via === 'self') {
      this.log.info('order.added', { order: rec.id, owner: rec.owner, side: rec.side, price: rec.price, amount: rec.amount, hops: 0 });
      this.emit('order', this.view(rec));
      return;
    }
    const from = arrival.from?.nodeId;
    if (from !== undefined && arrival.via === 'sync') {
      const n = this.syncing.get(from);
      if (n !== undefined) this.syncing.set(from, n + 1);
    }
    this.log.info('order.added', {
      order: rec.id,
      owner: rec.owner,
      side: rec.side,
      price: rec.price,
      amount: rec.amount,
      ...(arrival.hops !== null ? { hops: arrival.hops } : { via: 'sync' }),
      from,
    });
    this.emit('order', this.view(rec));
    // A newer order of ours crossing this older one is ours to resolve.
    this.defer(() => this.crossings.against(rec));
  }

  /** Runs `fn` once the event being handled is done (applied and relayed); its failure is logged, never thrown. */
  private defer(fn: () => void): void {
    queueMicrotask(() => {
      if (this.closed) return;
      try {
        fn();
      } catch (err) {
        this.log.warn('exchange.internal-error', { error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** A grant landed after the taker was told the outcome was unknown: the trade stands. */
  private lateFill(f: LateFill): void {
    this.log.warn('accept.late', { accept: f.acceptId, order: f.orderId, amount: f.amount, for: f.forOrder ?? undefined, booked: f.booked });
    this.emit('late-fill', f);
  }

  private unanswered(orderId: string): void {
    const owner = this.st.ledger.get(orderId)?.owner;
    if (!owner) return;
    const pauseMs = this.cooldown.strike(owner, this.clock.now());
    this.log.warn('owner.unresponsive', { node: owner, order: orderId, pauseMs });
  }

  /** Replays the event store: the node comes back with its orders, fills and trades. */
  private restore(): void {
    if (this.store.size === 0) return;
    this.restoring = true;
    try {
      const { applied, skipped } = this.pipeline.restore(this.storedEvents(), (a, b) => this.proven(a.raw, b.raw, false));
      this.log.info('store.restored', { events: applied, skipped, orders: this.st.ledger.book.size, trades: this.st.ledger.trades().length });
    } finally {
      this.restoring = false;
    }
    this.crossings.resolveAll();
  }

  /** The store's events with their keys, verified and decoded again (a damaged entry is passed over). */
  private *storedEvents(): Generator<[string, SignedEvent]> {
    for (const [key, raw] of this.store.entries()) {
      const ev = openSigned(raw.body, raw.sig);
      if (ev) yield [key, ev];
    }
  }

  private syncDone(from: NetPeer, count: number): void {
    const learned = this.syncing.get(from.nodeId) ?? 0;
    this.syncing.delete(from.nodeId);
    this.log.info('sync.done', { peer: from.nodeId, events: count, newOrders: learned, book: this.st.ledger.book.size });
    this.emit('sync-done', from, count);
    // A link came (back) up: crossings we gave up on while cut off may resolve now.
    this.crossings.resolveAll();
  }

  // ---- periodic jobs -------------------------------------------------------------------

  /** Only an owner with open orders needs to be seen alive (and only its heartbeats are relayed). */
  private heartbeat(): void {
    if (this.closed || this.st.ledger.mineOpen().length === 0) return;
    this.pipeline.publish(KIND.heartbeat, {});
  }

  private sweepLiveness(): void {
    for (const ch of this.st.liveness.sweep(this.clock.now())) this.livenessChanged(ch.node, ch.stale);
  }

  private livenessChanged(node: string, stale: boolean): void {
    if (node === this.nodeId) return;
    this.log.info(stale ? 'owner.stale' : 'owner.live', { node });
    this.emit(stale ? 'owner-stale' : 'owner-live', node);
    if (!stale) this.crossings.resolveAll();
  }

  /** Refreshes first (they vouch for the orders after them), then who is alive, then the orders. */
  private *syncSource(): Generator<{ body: Uint8Array; sig: Uint8Array }> {
    yield* this.st.vouches.raws();
    yield* this.st.liveness.latestHeartbeats((node) => this.st.ledger.openCountOf(node) > 0);
    yield* this.st.ledger.signedHistory();
  }

  private view(rec: OrderRecord): OrderView {
    const v = this.st.ledger.view(rec, this.st.isStale(rec.owner));
    if (this.st.disputes.isEquivocator(rec.owner)) v.equivocator = true;
    return v;
  }

  /** A trade as the API shows it: flagged when it stands on a contradiction. */
  private tradeView(t: TradeView): TradeView {
    return this.st.disputes.tradeDisputed(t) ? { ...t, disputed: true } : t;
  }

  // ---- API -------------------------------------------------------------------------------

  async place(input: PlaceInput): Promise<PlaceResult> {
    this.assertOpen();
    const { side, price, amount } = input;
    if (side !== 'buy' && side !== 'sell') throw new ExchangeError('BAD_SIDE', 'side must be "buy" or "sell"');
    if (!Number.isSafeInteger(price) || price <= 0 || price > MAX_PRICE_CENTS) {
      throw new ExchangeError('BAD_PRICE', `price must be an integer number of cents in 1..${MAX_PRICE_CENTS}`);
    }
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT_SATS) {
      throw new ExchangeError('BAD_AMOUNT', `amount must be an integer number of sats in 1..${MAX_AMOUNT_SATS}`);
    }
    if (!this.admission.ownRoom(this.nodeId, KIND.add)) {
      throw new ExchangeError('RATE_LIMITED', 'this node has placed as many orders as every peer takes from one node for now: try again in a moment');
    }
    if (this.st.ledger.openCountOf(this.nodeId) >= this.tuning.maxOpenOrders) {
      throw new ExchangeError('TOO_MANY_ORDERS', `at most ${this.tuning.maxOpenOrders} open orders per node: cancel one first`);
    }
    return this.placement.place({ side, price, amount });
  }

  async accept(orderId: string, amount?: number): Promise<AcceptResult> {
    this.assertOpen();
    const rec = this.st.ledger.get(orderId);
    if (!rec) throw new ExchangeError('UNKNOWN_ORDER', `no order ${orderId}`);
    if (rec.owner === this.nodeId) throw new ExchangeError('OWN_ORDER', 'a node never takes its own order');
    if (rec.status === 'cancelled') throw new ExchangeError('ORDER_CANCELLED', `order ${orderId} was cancelled`);
    if (rec.status === 'filled' || rec.filled >= rec.amount) throw new ExchangeError('ORDER_FILLED', `order ${orderId} is already filled`);
    if (this.st.isStale(rec.owner)) throw new ExchangeError('OWNER_STALE', `the owner of ${orderId} has not been heard from lately`);
    if (rec.disputed) throw new ExchangeError('ORDER_DISPUTED', `order ${orderId} is disputed: its owner contradicted itself about it`);
    if (this.st.disputes.isEquivocator(rec.owner)) throw new ExchangeError('OWNER_EQUIVOCATED', `the owner of ${orderId} is proven to equivocate`);
    const free = this.st.freeToTake(rec);
    const want = amount ?? free;
    if (!Number.isSafeInteger(want) || want <= 0) throw new ExchangeError('BAD_AMOUNT', 'amount must be a positive number of sats');
    if (want > free) {
      throw new ExchangeError('AMOUNT_TOO_LARGE', `only ${free} sats of ${orderId} are available (asked ${want})`);
    }
    if (isDust(want, rec.amount - rec.filled)) {
      throw new ExchangeError('AMOUNT_TOO_SMALL', `a take is at least ${MIN_TAKE_SATS} sats (0.0001 BTC), or all that is left`);
    }
    let take;
    try {
      take = this.takes.start(rec.id, want, 'accept');
    } catch (err) {
      if (!(err instanceof OwnBudgetSpent)) throw err;
      throw new ExchangeError('RATE_LIMITED', 'this node has sent as many accepts as every peer takes from one node for now: try again in a moment');
    }
    this.log.info('accept.sent', { order: rec.id, owner: rec.owner, amount: want, accept: take.acceptId });
    const out = await take.result;
    this.log.info('accept.answered', { order: rec.id, accept: out.acceptId, filled: out.filled, reason: out.reason });
    const res: AcceptResult = { orderId: rec.id, requested: want, filled: out.filled, trade: out.trade && this.tradeView(out.trade) };
    if (out.reason !== undefined) res.reason = out.reason;
    if (out.pending) res.pending = out.pending;
    return res;
  }

  async cancel(orderId: string): Promise<OrderView> {
    this.assertOpen();
    const rec = this.st.ledger.get(orderId);
    if (!rec) throw new ExchangeError('UNKNOWN_ORDER', `no order ${orderId}`);
    if (rec.owner !== this.nodeId) throw new ExchangeError('NOT_OWNER', 'only the owner can cancel an order');
    // Only this order's own takes matter: wait for them, and start no new ones.
    await this.crossings.quiesceOrder(rec);
    try {
      if (rec.status === 'filled') throw new ExchangeError('ORDER_FILLED', `order ${orderId} is already filled`);
      if (rec.status === 'cancelled') throw new ExchangeError('ORDER_CANCELLED', `order ${orderId} is already cancelled`);
      this.desk.cancel(rec);
    } finally {
      this.crossings.release(rec);
    }
    return this.st.ledger.view(rec, false);
  }

  /** Rejects with the network layer's code (CONNECT_FAILED, SELF_CONNECTION, SHUNNED, ...). */
  async connect(host: string, port: number): Promise<PeerView> {
    this.assertOpen();
    try {
      return await this.net.connect(host, port);
    } catch (err) {
      if (err instanceof ConnectError) throw new ExchangeError(err.code, err.message);
      throw err;
    }
  }

  book(): BookView {
    const views = (side: 'buy' | 'sell'): OrderView[] => this.st.ledger.book.orders(side).map((o) => this.view(this.st.ledger.get(o.id)!));
    return {
      bids: views('buy'),
      asks: views('sell'),
      depth: { bids: this.st.ledger.book.depth('buy'), asks: this.st.ledger.book.depth('sell') },
    };
  }

  /** Any order known by id, open or recently closed. */
  order(id: string): OrderView | null {
    const rec = this.st.ledger.get(id);
    return rec ? this.view(rec) : null;
  }

  /**
   * An order's signed add (exact bytes and signature) and its current seq: what any owner
   * update of it must embed and follow. For tools and audits; null if unknown.
   */
  signedOrder(id: string): { add: { body: Uint8Array; sig: Uint8Array }; seq: number } | null {
    const rec = this.st.ledger.get(id);
    return rec ? { add: rec.add, seq: rec.seq } : null;
  }

  myOrders(): OrderView[] {
    const mine = [...this.st.ledger.all()].filter((r) => r.owner === this.nodeId);
    return mine.sort((a, b) => a.ts - b.ts).map((r) => this.st.ledger.view(r, false));
  }

  trades(): TradeView[] {
    return this.st.ledger.trades().map((t) => this.tradeView(t));
  }

  peers(): PeerView[] {
    return this.net.peers();
  }

  status(): StatusView {
    let bids = 0;
    let asks = 0;
    let stale = 0;
    let mine = 0;
    for (const o of this.st.ledger.book.orders()) {
      if (o.side === 'buy') bids++;
      else asks++;
      if (o.owner === this.nodeId) mine++;
      else if (this.st.isStale(o.owner)) stale++;
    }
    const s = this.net.stats();
    return {
      nodeId: this.nodeId,
      host: this.net.host,
      port: this.net.port,
      uptimeMs: this.clock.now() - this.startedAt,
      peers: this.net.peers().length,
      orders: { bids, asks, stale, mine },
      trades: this.st.ledger.trades().length,
      eventsIn: s.eventsIn,
      eventsOut: s.eventsOut,
      late: { ...this.takes.counts },
      disputes: this.st.disputes.counts,
      limits: {
        refused: Object.fromEntries(this.admission.refused),
        acceptsIgnored: this.desk.ignored,
        ownersCooling: this.cooldown.active(this.clock.now()).length,
        coolingUntil: this.cooldown.lastEnd(this.clock.now()),
        peers: {
          evicted: s.evicted,
          refusedFull: s.refusedFull,
          handshakePoolFull: s.handshakePoolFull,
          droppedByScore: s.droppedByScore,
          addrRelayDropped: s.addrRelayDropped,
          internalErrors: s.internalErrors,
        },
        penalised: this.net.penalised(),
      },
    };
  }

  digest(): string {
    return this.st.ledger.digest();
  }

  /**
   * Resolves when this node has nothing in flight: no placement or crossing resolution
   * under way, no take of ours open (waiting, or unknown with a grant still possible),
   * and every frame we sent handled by its peer (a ping round trip on every link). The
   * network as a whole is quiet when this holds on every node and a full round of it
   * moved no event (see test support).
   */
  async quiescent(): Promise<void> {
    for (;;) {
      await this.placement.settled();
      await this.crossings.settled();
      await this.takes.settled();
      await this.net.roundTrip();
      if (this.takes.pending === 0 && this.placement.busy === 0 && this.crossings.busy === 0) return;
    }
  }

  /**
   * Tries again every crossing where an order of ours is the newer one (the retry count
   * of each starts afresh). The node runs it periodically; tools and tests may too.
   */
  recheckCrossings(): void {
    if (!this.closed) this.crossings.resolveAll();
  }

  /** The network node below (tests use it to cut links). */
  get network(): NetNode {
    return this.net;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) this.clock.clearInterval(t);
    this.takes.close();
    this.crossings.close();
    await this.net.close();
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ExchangeError('CLOSED', 'the node is shutting down');
  }
}
