/**
 * One exchange node: the network layer below, the order ledger and matching engine in
 * the middle, the in-process API on top. This file wires them and owns the timers;
 * the decisions live in small pure files (owner.ts, checks.ts, order-ledger.ts,
 * matching in ../book).
 */
import { EventEmitter } from 'node:events';
import { ConnectError, NetNode, type GossipEvent, type PeerView as NetPeer } from '../net/node';
import { silentLogger, type Logger } from '../log/logger';
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from '../book/units';
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
import { KIND } from './events';
import { EventIntake } from './intake';
import { EventStore } from '../store/event-store';
import { openSigned } from '../net/node';
import { Liveness } from './liveness';
import { OrderLedger, type OrderRecord } from './order-ledger';
import { OwnerDesk } from './owner-desk';
import { Placement } from './placement';
import { Reservations } from './reservations';
import { Taker, type LateAccept } from './taker';

export interface ExchangeTuning {
  /** How long an owner has to answer an accept (the accept's deadline). Default 5 s. */
  acceptTimeoutMs: number;
  /** Largest clock difference tolerated between peers; also the handshake's bound. Default 5 s. */
  clockBoundMs: number;
  /** Owner heartbeat period. Default 2 s. */
  heartbeatMs: number;
  /** An owner not heard from for this long has its orders marked stale. Default 10 s. */
  staleAfterMs: number;
  /** How long filled/cancelled orders are remembered to absorb late events. Default 10 min. */
  retainMs: number;
  /** How long an unanswered accept's amount stays held after we stop waiting (a late grant may come). Default 60 s. */
  lateHoldMs: number;
}

export const DEFAULT_TUNING: ExchangeTuning = {
  acceptTimeoutMs: 5_000,
  clockBoundMs: 5_000,
  heartbeatMs: 2_000,
  staleAfterMs: 10_000,
  retainMs: 10 * 60_000,
  lateHoldMs: 60_000,
};

export interface ExchangeStartOptions extends ExchangeOptions {
  tuning?: Partial<ExchangeTuning>;
  /** Passed through to the network layer (targets, backoff, timeouts...). */
  net?: Record<string, unknown>;
  now?: () => number;
}

export class Exchange extends EventEmitter implements ExchangeApi {
  readonly nodeId: string;
  private readonly ledger: OrderLedger;
  private readonly liveness: Liveness;
  private readonly reservations = new Reservations();
  private readonly taker: Taker;
  private readonly desk: OwnerDesk;
  private readonly placement: Placement;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt: number;
  private readonly intake: EventIntake;
  private closed = false;
  private restoring = false;

  private constructor(
    private readonly net: NetNode,
    private readonly log: Logger,
    private readonly tuning: ExchangeTuning,
    private readonly now: () => number,
    private readonly store: EventStore,
  ) {
    super();
    this.nodeId = net.nodeId;
    this.startedAt = now();
    this.ledger = new OrderLedger(net.nodeId, now, tuning.retainMs);
    this.liveness = new Liveness(tuning.staleAfterMs);
    // Everything we publish about orders is kept, like what we apply from peers.
    const publish = (kind: string, data: Record<string, unknown>): GossipEvent =>
      net.publish(kind, data, (ev) => store.putDurable(ev.id, ev.raw));
    this.taker = new Taker({
      publish,
      now,
      reservations: this.reservations,
      acceptTimeoutMs: tuning.acceptTimeoutMs,
      clockBoundMs: tuning.clockBoundMs,
      lateHoldMs: tuning.lateHoldMs,
      holdEnded: () => this.placement.resolveAll(),
    });
    this.desk = new OwnerDesk({ me: this.nodeId, ledger: this.ledger, reservations: this.reservations, publish, now, log });
    this.placement = new Placement({
      me: this.nodeId,
      ledger: this.ledger,
      reservations: this.reservations,
      taker: this.taker,
      desk: this.desk,
      isStale: (node) => node !== this.nodeId && this.liveness.isStale(node, this.now()),
      log,
      retryMs: tuning.acceptTimeoutMs + tuning.clockBoundMs,
    });
    this.intake = new EventIntake({
      me: this.nodeId,
      ledger: this.ledger,
      liveness: this.liveness,
      desk: this.desk,
      taker: this.taker,
      reservations: this.reservations,
      placement: this.placement,
      log,
      now,
      livenessChanged: (node, stale) => this.livenessChanged(node, stale),
      learned: (rec) => this.emit('order', this.ledger.view(rec, this.stale(rec))),
      remember: (ev) => store.put(ev.id, ev.raw),
      lateGrant: (late, amount) => this.lateGrant(late, amount),
    });
    this.desk.onTrade = (t) => this.tradeSeen(t);
    this.desk.onOrder = (rec) => this.emit('order', this.ledger.view(rec, false));
  }

  static async start(opts: ExchangeStartOptions): Promise<Exchange> {
    const tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    const now = opts.now ?? Date.now;
    const log = opts.log ?? silentLogger;
    let self: Exchange | null = null;
    const store = EventStore.open(opts.dataDir);
    let net: NetNode;
    try {
      net = await NetNode.start({
        host: opts.host,
        port: opts.port ?? 0,
        dataDir: opts.dataDir,
        peers: opts.peers,
        maxClockSkewMs: tuning.clockBoundMs,
        now,
        log,
        ...opts.net,
        validate: (ev: GossipEvent) => self!.intake.validate(ev),
        syncSource: () => self!.syncSource(),
      });
    } catch (err) {
      await store.close();
      throw err;
    }
    try {
      self = new Exchange(net, log, tuning, now, store);
      self.restore();
      self.wire();
      return self;
    } catch (err) {
      // Nothing may outlive a failed start: not the listening socket, not the store.
      self?.taker.close();
      self?.placement.close();
      await net.close();
      await store.close();
      throw err;
    }
  }

  private wire(): void {
    const intake = this.intake;
    this.net.on('event', (ev: GossipEvent, from: NetPeer) => !this.closed && intake.gossip(ev, from));
    this.net.on('sync-event', (ev: GossipEvent, from: NetPeer) => !this.closed && intake.synced(ev, from));
    this.net.on('peer', (p: NetPeer) => {
      intake.syncStarted(p.nodeId);
      this.emit('peer', p);
    });
    this.net.on('sync-done', (from: NetPeer, count: number) => {
      const learned = intake.syncEnded(from.nodeId);
      this.log.info('sync.done', { peer: from.nodeId, events: count, newOrders: learned, book: this.ledger.book.size });
      this.emit('sync-done', from, count);
      // A link came (back) up: crossings we gave up on while cut off may resolve now.
      this.placement.resolveAll();
    });
    this.net.on('peer-closed', (p: NetPeer, reason: string) => {
      intake.syncEnded(p.nodeId);
      this.emit('peer-closed', p, reason);
    });
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.tuning.heartbeatMs, () => this.heartbeat());
    every(Math.max(10, Math.min(this.tuning.heartbeatMs, this.tuning.staleAfterMs / 4)), () => this.sweepLiveness());
    every(Math.max(1000, this.tuning.retainMs / 10), () => this.ledger.prune());
    // Anti-entropy for crossings: retries of a crossing stop after a few refusals; this
    // gives every crossing of ours a fresh start now and then, so a quiet network does
    // not stay crossed after the refusals' cause (a hold, a cut link) is gone.
    every(4 * (this.tuning.acceptTimeoutMs + this.tuning.clockBoundMs), () => this.recheckCrossings());
    this.heartbeat();
  }

  /**
   * The trade stands (the owner decided in time; its answer was slow). Book it against
   * our order that was taking, so we do not hold both the trade and the full order.
   */
  private lateGrant(late: LateAccept, amount: number): void {
    const mine = late.forOrder ? this.ledger.get(late.forOrder) : undefined;
    let booked = 0;
    if (mine && mine.status === 'open') {
      booked = Math.min(amount, mine.amount - mine.filled - this.reservations.takingFor(mine.id));
      if (booked > 0) this.desk.fill(mine, late.acceptId, booked);
    }
    this.log.warn('accept.late', { accept: late.acceptId, order: late.orderId, amount, for: late.forOrder, booked });
    this.emit('late-fill', { ...late, amount, booked });
  }

  /** Replays the event store: the node comes back with its orders, fills and trades. */
  private restore(): void {
    if (this.store.size === 0) return;
    this.restoring = true;
    try {
      const { applied, skipped } = this.intake.restore(this.storedEvents());
      this.log.info('store.restored', { events: applied, skipped, orders: this.ledger.book.size, trades: this.ledger.trades().length });
    } finally {
      this.restoring = false;
    }
  }

  /** The store's events, verified and decoded again (a damaged entry is passed over). */
  private *storedEvents(): Generator<GossipEvent> {
    for (const raw of this.store.all()) {
      const ev = openSigned(raw.body, raw.sig);
      if (ev) yield ev;
    }
  }

  private tradeSeen(t: TradeView): void {
    if (this.restoring) return;
    this.log.info('trade', { trade: t.id, order: t.orderId, maker: t.maker, taker: t.taker, amount: t.amount, price: t.price });
    this.emit('trade', t);
  }

  // ---- timers ----------------------------------------------------------------------

  private heartbeat(): void {
    if (this.closed) return;
    const ev = this.net.publish(KIND.heartbeat, {});
    this.liveness.heartbeat(this.nodeId, ev.ts, ev.raw);
  }

  private sweepLiveness(): void {
    for (const ch of this.liveness.sweep(this.now())) this.livenessChanged(ch.node, ch.stale);
  }

  private livenessChanged(node: string, stale: boolean): void {
    if (node === this.nodeId) return;
    this.log.info(stale ? 'owner.stale' : 'owner.live', { node });
    this.emit(stale ? 'owner-stale' : 'owner-live', node);
    if (!stale) this.placement.resolveAll();
  }

  private *syncSource(): Generator<{ body: Uint8Array; sig: Uint8Array }> {
    yield* this.liveness.latestHeartbeats();
    yield* this.ledger.signedHistory();
  }

  private stale(rec: OrderRecord): boolean {
    return rec.owner !== this.nodeId && this.liveness.isStale(rec.owner, this.now());
  }

  // ---- API -------------------------------------------------------------------------

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
    return this.placement.place({ side, price, amount });
  }

  async accept(orderId: string, amount?: number): Promise<AcceptResult> {
    this.assertOpen();
    const rec = this.ledger.get(orderId);
    if (!rec) throw new ExchangeError('UNKNOWN_ORDER', `no order ${orderId}`);
    if (rec.owner === this.nodeId) throw new ExchangeError('OWN_ORDER', 'a node never takes its own order');
    if (rec.status === 'cancelled') throw new ExchangeError('ORDER_CANCELLED', `order ${orderId} was cancelled`);
    if (rec.status === 'filled' || rec.filled >= rec.amount) throw new ExchangeError('ORDER_FILLED', `order ${orderId} is already filled`);
    if (this.stale(rec)) throw new ExchangeError('OWNER_STALE', `the owner of ${orderId} has not been heard from lately`);
    const free = rec.amount - rec.filled - this.reservations.reservedOn(rec.id);
    const want = amount ?? free;
    if (!Number.isSafeInteger(want) || want <= 0) throw new ExchangeError('BAD_AMOUNT', 'amount must be a positive number of sats');
    if (want > free) {
      throw new ExchangeError('AMOUNT_TOO_LARGE', `only ${free} sats of ${orderId} are available (asked ${want})`);
    }
    this.log.info('accept.sent', { order: rec.id, owner: rec.owner, amount: want });
    const out = await this.taker.send(rec.id, want, null);
    this.log.info('accept.answered', { order: rec.id, accept: out.acceptId, filled: out.filled, reason: out.reason });
    const res: AcceptResult = { orderId: rec.id, requested: want, filled: out.filled, trade: out.trade };
    if (out.reason !== undefined) res.reason = out.reason;
    return res;
  }

  async cancel(orderId: string): Promise<OrderView> {
    this.assertOpen();
    const rec = this.ledger.get(orderId);
    if (!rec) throw new ExchangeError('UNKNOWN_ORDER', `no order ${orderId}`);
    if (rec.owner !== this.nodeId) throw new ExchangeError('NOT_OWNER', 'only the owner can cancel an order');
    const done = await this.placement.cancel(rec);
    if (!done.ok) throw new ExchangeError(done.code, `order ${orderId} is ${done.code === 'ORDER_FILLED' ? 'already filled' : 'already cancelled'}`);
    return this.ledger.view(rec, false);
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
    const views = (side: 'buy' | 'sell'): OrderView[] =>
      this.ledger.book.orders(side).map((o) => this.ledger.view(this.ledger.get(o.id)!, this.stale(this.ledger.get(o.id)!)));
    return {
      bids: views('buy'),
      asks: views('sell'),
      depth: { bids: this.ledger.book.depth('buy'), asks: this.ledger.book.depth('sell') },
    };
  }

  /** Any order known by id, open or recently closed. */
  order(id: string): OrderView | null {
    const rec = this.ledger.get(id);
    return rec ? this.ledger.view(rec, this.stale(rec)) : null;
  }

  myOrders(): OrderView[] {
    const mine = [...this.ledger.all()].filter((r) => r.owner === this.nodeId);
    return mine.sort((a, b) => a.ts - b.ts).map((r) => this.ledger.view(r, false));
  }

  trades(): TradeView[] {
    return this.ledger.trades();
  }

  peers(): PeerView[] {
    return this.net.peers();
  }

  status(): StatusView {
    const now = this.now();
    let bids = 0;
    let asks = 0;
    let stale = 0;
    let mine = 0;
    for (const o of this.ledger.book.orders()) {
      if (o.side === 'buy') bids++;
      else asks++;
      if (o.owner === this.nodeId) mine++;
      else if (this.liveness.isStale(o.owner, now)) stale++;
    }
    const s = this.net.stats();
    return {
      nodeId: this.nodeId,
      host: this.net.host,
      port: this.net.port,
      uptimeMs: now - this.startedAt,
      peers: this.net.peers().length,
      orders: { bids, asks, stale, mine },
      trades: this.ledger.trades().length,
      eventsIn: s.eventsIn,
      eventsOut: s.eventsOut,
    };
  }

  digest(): string {
    return this.ledger.digest();
  }

  /**
   * Resolves when this node has nothing in flight: no placement or crossing resolution
   * under way, no accept of ours unanswered or in its late hold, and every frame we sent handled by its
   * peer (a ping round trip on every link). The network as a whole is quiet when this
   * holds on every node and a full round of it moved no event (see test support).
   */
  async quiescent(): Promise<void> {
    for (;;) {
      await this.placement.settled();
      await this.taker.settled();
      await this.net.roundTrip();
      if (this.taker.pending === 0 && this.placement.busy === 0) return;
    }
  }

  /**
   * Tries again every crossing where an order of ours is the newer one (the retry count
   * of each starts afresh). The node runs it periodically; tools and tests may too.
   */
  recheckCrossings(): void {
    if (!this.closed) this.placement.resolveAll();
  }

  /** The network node below (tests use it to cut links). */
  get network(): NetNode {
    return this.net;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.taker.close();
    this.placement.close();
    await this.net.close();
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ExchangeError('CLOSED', 'the node is shutting down');
  }
}
