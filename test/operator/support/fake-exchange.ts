/**
 * An in-memory ExchangeApi for the operator tests: a tiny book with our own orders and
 * orders "from other nodes", matching at the resting price, plus hooks to make the
 * next call fail or hang. Not the real node (src/exchange/exchange.ts): it exists so
 * the pm2 layer can be tested before and independently of it. The error codes it uses
 * (UNKNOWN_ORDER, OWN_ORDER, NOT_OWNER, CONNECT_FAILED) stand in for the exchange's.
 *
 * Unanswered takes follow the exchange's contract (src/exchange/api.ts, PendingTake):
 * after `unansweredNext()`, the next accept (or every leg of the next place) ends
 * with its outcome unknown; `landLate()` then books a late grant, `lapse()` ends the
 * hold with none, and status() counts both in `late`.
 */
import {
  ExchangeError,
  type AcceptResult,
  type BookView,
  type DepthLevel,
  type ExchangeApi,
  type OrderView,
  type PeerView,
  type PendingTake,
  type PlaceInput,
  type PlaceResult,
  type Side,
  type StatusView,
  type TradeView,
} from '../../../src/exchange/api';

export const SELF = 'ab12cd34'.repeat(8);
export const OTHER = 'fe98dc76'.repeat(8);
/** For the daemon over this fake (fake-node-main.ts): acceptOrder of this id never settles. */
export const HANG_ORDER = 'fake-hang';
/** For the daemon over this fake: acceptOrder of this id ends unanswered by its owner (OUTCOME_UNKNOWN). */
export const UNANSWERED_ORDER = 'fake-unanswered';
/**
 * For the daemon over this fake: acceptOrder of this id answers only after
 * SLOW_ORDER_MS (PARTIAL, nothing filled, `requested` as asked), so that calls made
 * after it are answered before it: replies then come out of request order.
 */
export const SLOW_ORDER = 'fake-slow';
export const SLOW_ORDER_MS = 1000;

type Method = 'place' | 'accept' | 'cancel' | 'connect' | 'close' | 'status';

export class FakeExchange implements ExchangeApi {
  readonly nodeId = SELF;
  readonly host = '127.0.0.1';
  port = 3001;
  closed = false;
  eventsIn = 0;
  eventsOut = 0;
  /** Addresses `connect` succeeds for, with the node id found there. */
  readonly reachable = new Map<string, string>();
  readonly calls: Array<{ method: Method; args: unknown[] }> = [];

  private orders = new Map<string, OrderView>();
  private tradeList: TradeView[] = [];
  private peerList: PeerView[] = [];
  private seq = 0;
  private clock = 1_700_000_000_000;
  private sabotage = new Map<Method, { kind: 'throw'; err: unknown } | { kind: 'hang' }>();
  private hung: Array<(v: never) => void> = [];
  private unanswered = false;
  private readonly holds = new Map<string, PendingTake>();
  readonly late = { unknown: 0, landed: 0, lapsed: 0 };
  /** How long a late grant may still land after a take goes unanswered (the exchange's late hold). */
  static readonly LATE_HOLD_MS = 60_000;

  /** The next accept, or every leg of the next place, gets no answer from its owner. */
  unansweredNext(): void {
    this.unanswered = true;
  }

  /** A late grant lands for an unanswered take: the trade is booked, and our resting order fills. */
  landLate(acceptId: string): { trade: TradeView; booked: number } {
    const hold = this.endHold(acceptId);
    this.late.landed++;
    const maker = this.orders.get(hold.orderId)!;
    const trade = this.fill(maker, hold.requested, acceptId);
    let booked = 0;
    const mine = hold.forOrder === null ? undefined : this.orders.get(hold.forOrder);
    if (mine !== undefined && mine.status === 'open') {
      booked = Math.min(hold.requested, mine.remaining);
      mine.filled += booked;
      mine.remaining -= booked;
      mine.seq++;
      if (mine.remaining === 0) mine.status = 'filled';
    }
    return { trade, booked };
  }

  /** An unanswered take's hold ends with no grant. */
  lapse(acceptId: string): void {
    this.endHold(acceptId);
    this.late.lapsed++;
  }

  /** The next call of `method` rejects (or, for status, throws) with `err`. */
  failNext(method: Method, err: unknown): void {
    this.sabotage.set(method, { kind: 'throw', err });
  }

  /** The next call of `method` never settles. */
  hangNext(method: Method): void {
    this.sabotage.set(method, { kind: 'hang' });
  }

  /** An order placed by another node, as if it arrived by gossip. */
  addForeign(side: Side, price: number, amount: number, opts: { stale?: boolean; owner?: string } = {}): OrderView {
    const o = this.newOrder(opts.owner ?? OTHER, side, price, amount);
    o.stale = opts.stale ?? false;
    this.orders.set(o.id, o);
    return o;
  }

  async place(input: PlaceInput): Promise<PlaceResult> {
    await this.enter('place', [input]);
    const fills: TradeView[] = [];
    let left = input.amount;
    const crossing = [...this.orders.values()]
      .filter((o) => o.status === 'open' && !o.stale && o.owner !== SELF && o.side !== input.side)
      .filter((o) => (input.side === 'buy' ? o.price <= input.price : o.price >= input.price))
      .sort((a, b) => (input.side === 'buy' ? a.price - b.price : b.price - a.price) || a.ts - b.ts);
    const unanswered = this.takeUnanswered();
    const pending: PendingTake[] = [];
    let toTake = left;
    for (const maker of crossing) {
      if (toTake === 0) break;
      const take = Math.min(toTake, maker.remaining);
      toTake -= take;
      // An unanswered leg is neither filled nor rested (the real exchange rests it only
      // once it is known not to be granted); a late grant makes it a trade.
      left -= take;
      if (unanswered) pending.push(this.hold(maker.id, take));
      else fills.push(this.fill(maker, take));
    }
    let order: OrderView | null = null;
    if (left > 0) {
      order = this.newOrder(SELF, input.side, input.price, left);
      this.orders.set(order.id, order);
      this.eventsOut++;
    }
    const inLimbo = pending.reduce((s, p) => s + p.requested, 0);
    return { requested: input.amount, filled: input.amount - left - inLimbo, rested: left, order: order && { ...order }, fills, refused: [], pending: pending.map((p) => ({ ...p })) };
  }

  async accept(orderId: string, amount?: number): Promise<AcceptResult> {
    await this.enter('accept', [orderId, amount]);
    const o = this.orders.get(orderId);
    if (o === undefined || o.status !== 'open') throw new ExchangeError('UNKNOWN_ORDER', `no open order ${orderId}`);
    if (o.owner === SELF) throw new ExchangeError('OWN_ORDER', 'cannot accept your own order');
    const requested = amount ?? o.remaining;
    if (o.stale) return { orderId, requested, filled: 0, trade: null, reason: 'STALE' };
    if (this.takeUnanswered()) {
      return { orderId, requested, filled: 0, trade: null, reason: 'OUTCOME_UNKNOWN', pending: { ...this.hold(orderId, requested) } };
    }
    const filled = Math.min(requested, o.remaining);
    const trade = this.fill(o, filled);
    return filled < requested
      ? { orderId, requested, filled, trade, reason: 'PARTIAL' }
      : { orderId, requested, filled, trade };
  }

  async cancel(orderId: string): Promise<OrderView> {
    await this.enter('cancel', [orderId]);
    const o = this.orders.get(orderId);
    if (o === undefined || o.status !== 'open') throw new ExchangeError('UNKNOWN_ORDER', `no open order ${orderId}`);
    if (o.owner !== SELF) throw new ExchangeError('NOT_OWNER', 'only the owner can cancel an order');
    o.status = 'cancelled';
    o.seq++;
    return { ...o };
  }

  async connect(host: string, port: number): Promise<PeerView> {
    await this.enter('connect', [host, port]);
    const nodeId = this.reachable.get(`${host}:${port}`);
    if (nodeId === undefined) throw new ExchangeError('CONNECT_FAILED', `connect ECONNREFUSED ${host}:${port}`);
    const peer: PeerView = { nodeId, host, port, direction: 'outbound', connectedAt: this.clock };
    this.peerList.push(peer);
    return peer;
  }

  book(): BookView {
    const open = [...this.orders.values()].filter((o) => o.status === 'open').map((o) => ({ ...o }));
    const bids = open.filter((o) => o.side === 'buy').sort((a, b) => b.price - a.price || a.ts - b.ts);
    const asks = open.filter((o) => o.side === 'sell').sort((a, b) => a.price - b.price || a.ts - b.ts);
    return { bids, asks, depth: { bids: depth(bids), asks: depth(asks) } };
  }

  myOrders(): OrderView[] {
    return [...this.orders.values()].filter((o) => o.owner === SELF).map((o) => ({ ...o }));
  }

  trades(): TradeView[] {
    return this.tradeList.map((t) => ({ ...t }));
  }

  peers(): PeerView[] {
    return this.peerList.map((p) => ({ ...p }));
  }

  status(): StatusView {
    const s = this.sabotage.get('status');
    if (s !== undefined) {
      this.sabotage.delete('status');
      if (s.kind === 'throw') throw s.err;
    }
    const open = [...this.orders.values()].filter((o) => o.status === 'open');
    return {
      nodeId: SELF,
      host: this.host,
      port: this.port,
      uptimeMs: 93_784_000,
      peers: this.peerList.length,
      orders: {
        bids: open.filter((o) => o.side === 'buy').length,
        asks: open.filter((o) => o.side === 'sell').length,
        stale: open.filter((o) => o.stale).length,
        mine: open.filter((o) => o.owner === SELF).length,
      },
      trades: this.tradeList.length,
      eventsIn: this.eventsIn,
      eventsOut: this.eventsOut,
      late: { ...this.late },
    };
  }

  digest(): string {
    return JSON.stringify(this.book());
  }

  async quiescent(): Promise<void> {}

  async close(): Promise<void> {
    await this.enter('close', []);
    this.closed = true;
  }

  private async enter(method: Method, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    const s = this.sabotage.get(method);
    if (s === undefined) return;
    this.sabotage.delete(method);
    if (s.kind === 'throw') throw s.err;
    await new Promise<never>((resolve) => this.hung.push(resolve));
  }

  private takeUnanswered(): boolean {
    const u = this.unanswered;
    this.unanswered = false;
    return u;
  }

  private hold(orderId: string, requested: number): PendingTake {
    const p: PendingTake = { acceptId: this.uuid(), orderId, requested, until: this.clock + FakeExchange.LATE_HOLD_MS, forOrder: null };
    this.holds.set(p.acceptId, p);
    this.late.unknown++;
    return p;
  }

  private endHold(acceptId: string): PendingTake {
    const hold = this.holds.get(acceptId);
    if (hold === undefined) throw new Error(`fake: no unanswered take ${acceptId}`);
    this.holds.delete(acceptId);
    return hold;
  }

  private fill(maker: OrderView, amount: number, id = this.uuid()): TradeView {
    maker.filled += amount;
    maker.remaining -= amount;
    maker.seq++;
    if (maker.remaining === 0) maker.status = 'filled';
    const t: TradeView = {
      id,
      orderId: maker.id,
      maker: maker.owner,
      taker: SELF,
      side: maker.side,
      amount,
      price: maker.price,
      ts: this.clock++,
    };
    this.tradeList.push(t);
    this.eventsIn++;
    return t;
  }

  private newOrder(owner: string, side: Side, price: number, amount: number): OrderView {
    return {
      id: this.uuid(),
      owner,
      side,
      price,
      amount,
      filled: 0,
      remaining: amount,
      status: 'open',
      stale: false,
      ts: this.clock++,
      seq: 0,
    };
  }

  private uuid(): string {
    const n = (++this.seq).toString(16).padStart(12, '0');
    return `0190a1b2-c3d4-7e5f-8a9b-${n}`;
  }
}

function depth(orders: OrderView[]): DepthLevel[] {
  const levels: DepthLevel[] = [];
  for (const o of orders) {
    const last = levels[levels.length - 1];
    if (last !== undefined && last.price === o.price) {
      last.amount += o.remaining;
      last.orders++;
    } else {
      levels.push({ price: o.price, amount: o.remaining, orders: 1 });
    }
  }
  return levels;
}
