/**
 * What must hold once the network is quiet (everything healed, every node up, settled),
 * and what a restarted node must have brought back from its own disk. Each failure is
 * one Violation with a stable code and a message naming the node and the order or trade.
 */
import type { OrderView, TradeView } from '../exchange/api';
import type { Exchange } from '../exchange/exchange';
import type { Acknowledged } from './acknowledged';
import type { SimNode } from './world';

export interface Violation {
  code: string;
  message: string;
}

/** What the checks need besides the nodes. */
export interface CheckContext {
  acks: Acknowledged;
  /** First virtual time any node saw each order closed (see Recorder). */
  closedAt: ReadonlyMap<string, number>;
  /** How long nodes keep closed orders (the tuning's retainMs): pruning before that is a loss. */
  retainMs: number;
  now: number;
}

/** A node's own state when it went down, to compare with what it restores. */
export interface DownSnapshot {
  orders: Map<string, Pick<OrderView, 'status' | 'filled' | 'seq'>>;
  trades: Set<string>;
}

export function snapshot(ex: Pick<Exchange, 'myOrders' | 'trades'>): DownSnapshot {
  return {
    orders: new Map(ex.myOrders().map((o) => [o.id, { status: o.status, filled: o.filled, seq: o.seq }])),
    trades: new Set(ex.trades().map((t) => t.id)),
  };
}

const v = (code: string, message: string): Violation => ({ code, message });

/** A closed order may be gone from memory only once retention has passed since it closed. */
function mayBePruned(id: string, ctx: CheckContext): boolean {
  const at = ctx.closedAt.get(id);
  return at !== undefined && ctx.now - at >= ctx.retainMs;
}

/**
 * A node just restarted from its store, before any peer reached it: every order of its
 * own and every trade it held when it went down is back, as it was, and so is everything
 * it acknowledged.
 */
export function checkRestored(node: SimNode, before: DownSnapshot, ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const ex = node.ex;
  const n = node.index;
  for (const [id, was] of before.orders) {
    const now = ex.order(id);
    if (!now) {
      out.push(v('RESTART_LOST_ORDER', `node ${n} restarted without its order ${id} (${was.status}, filled ${was.filled}, seq ${was.seq})`));
    } else if (now.status !== was.status || now.filled !== was.filled || now.seq !== was.seq) {
      out.push(v('RESTART_CHANGED_ORDER', `node ${n} restarted with its order ${id} as ${now.status}/${now.filled}/seq ${now.seq}, was ${was.status}/${was.filled}/seq ${was.seq}`));
    }
  }
  const trades = new Set(ex.trades().map((t) => t.id));
  for (const id of before.trades) if (!trades.has(id)) out.push(v('RESTART_LOST_TRADE', `node ${n} restarted without trade ${id}`));
  const acked = ctx.acks.of(n);
  for (const o of acked.orders) {
    if (!ex.order(o.id) && !mayBePruned(o.id, ctx)) out.push(v('RESTART_LOST_ORDER', `node ${n} restarted without its acknowledged order ${o.id}`));
  }
  for (const t of acked.trades) if (!trades.has(t.trade.id)) out.push(v('RESTART_LOST_TRADE', `node ${n} restarted without its acknowledged trade ${t.trade.id}`));
  for (const c of acked.cancels) {
    const o = ex.order(c.id);
    if (o && o.status !== 'cancelled') out.push(v('RESTART_LOST_CANCEL', `node ${n} restarted with its cancelled order ${c.id} ${o.status}`));
  }
  return out;
}

/** Every invariant at quiescence over `nodes` (all of them up). */
export function checkQuiescent(nodes: SimNode[], ctx: CheckContext): Violation[] {
  return [...sameEverywhere(nodes), ...noOverfill(nodes), ...uncrossed(nodes), ...acknowledgedEverywhere(nodes, ctx)];
}

/** Identical open books (digest) and identical trade lists on every node; no order shown stale. */
export function sameEverywhere(nodes: SimNode[]): Violation[] {
  const out: Violation[] = [];
  const [first] = nodes;
  if (!first) return out;
  const digest = first.ex.digest();
  const trades = JSON.stringify(first.ex.trades());
  for (const n of nodes) {
    if (n.ex.digest() !== digest) out.push(v('DIGEST_DIFFERS', `node ${n.index} book digest ${n.ex.digest().slice(0, 12)} differs from node ${first.index}'s ${digest.slice(0, 12)}`));
    const mine = n.ex.trades();
    if (JSON.stringify(mine) !== trades) {
      out.push(v('TRADES_DIFFER', `node ${n.index} has ${mine.length} trades, node ${first.index} has ${first.ex.trades().length}, or they differ: ${tradeDiff(first.ex.trades(), mine)}`));
    }
    const book = n.ex.book();
    const stale = [...book.bids, ...book.asks].filter((o) => o.stale);
    if (stale.length > 0) out.push(v('STALE_AT_END', `node ${n.index} shows ${stale.length} orders stale with every owner up, e.g. ${stale[0].id}`));
  }
  return out;
}

function tradeDiff(a: TradeView[], b: TradeView[]): string {
  const ka = new Map(a.map((t) => [t.id, JSON.stringify(t)]));
  const kb = new Map(b.map((t) => [t.id, JSON.stringify(t)]));
  const onlyA = [...ka.keys()].filter((k) => kb.get(k) !== ka.get(k));
  const onlyB = [...kb.keys()].filter((k) => ka.get(k) !== kb.get(k));
  return `first only/different [${onlyA.slice(0, 3).join(', ')}] this only/different [${onlyB.slice(0, 3).join(', ')}]`;
}

/**
 * No order is filled beyond its amount, on any node; the trades of an order add up to
 * at most its owner's filled total; a trade's maker is the order's owner.
 */
export function noOverfill(nodes: SimNode[]): Violation[] {
  const out: Violation[] = [];
  const byNode = new Map(nodes.map((n) => [n.nodeId, n]));
  const traded = new Map<string, number>();
  const makers = new Map<string, string>();
  for (const n of nodes) {
    for (const t of n.ex.trades()) {
      if (n === nodes[0]) traded.set(t.orderId, (traded.get(t.orderId) ?? 0) + t.amount);
      makers.set(t.orderId, t.maker);
      if (t.maker === t.taker) out.push(v('SELF_TRADE', `node ${n.index} records trade ${t.id} with maker = taker`));
    }
    for (const o of [...n.ex.myOrders(), ...n.ex.book().bids, ...n.ex.book().asks]) {
      if (o.filled > o.amount || o.filled < 0) out.push(v('OVERFILL', `node ${n.index} shows order ${o.id} filled ${o.filled} of ${o.amount}`));
    }
  }
  for (const [orderId, sum] of traded) {
    const owner = byNode.get(makers.get(orderId) as string);
    const o = owner?.ex.order(orderId);
    if (!o) continue; // pruned on its owner: its trades are checked against other nodes' copies below
    if (sum > o.amount) out.push(v('OVERFILL', `order ${orderId} traded ${sum} of ${o.amount}`));
    if (sum > o.filled) out.push(v('TRADES_EXCEED_FILLED', `order ${orderId} traded ${sum} but its owner (node ${owner!.index}) shows ${o.filled} filled`));
    if (o.owner !== makers.get(orderId)) out.push(v('WRONG_MAKER', `order ${orderId} is owned by ${o.owner.slice(0, 8)} but traded with maker ${makers.get(orderId)!.slice(0, 8)}`));
  }
  for (const n of nodes) {
    for (const [orderId, sum] of traded) {
      const o = n.ex.order(orderId);
      if (o && sum > o.amount) out.push(v('OVERFILL', `order ${orderId} traded ${sum} of ${o.amount} (node ${n.index}'s copy)`));
    }
  }
  return out;
}

/** No bid at or above an ask of another owner, among orders that are not stale, on any node. */
export function uncrossed(nodes: SimNode[]): Violation[] {
  const out: Violation[] = [];
  for (const n of nodes) {
    const { bids, asks } = n.ex.book();
    const live = (o: OrderView): boolean => !o.stale;
    const b = bids.filter(live);
    const a = asks.filter(live);
    search: for (const bid of b) {
      if (a.length === 0 || bid.price < a[0].price) break;
      for (const ask of a) {
        if (ask.price > bid.price) break;
        if (ask.owner !== bid.owner) {
          out.push(v('CROSSED_BOOK', `node ${n.index}: bid ${bid.id} at ${bid.price} crosses ask ${ask.id} at ${ask.price} (different owners)`));
          break search;
        }
      }
    }
  }
  return out;
}

/**
 * Every acknowledged resting order is known to its owner (unless closed and pruned
 * after retention) and in the same state on every node that still holds it; every
 * acknowledged trade is on every node; every acknowledged cancel shows cancelled (or
 * pruned) everywhere; a pending leg that became a trade got no more than it asked.
 */
export function acknowledgedEverywhere(nodes: SimNode[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const byIndex = new Map(nodes.map((n) => [n.index, n]));
  for (const a of ctx.acks.orders) {
    const owner = byIndex.get(a.node);
    if (!owner) continue;
    const mine = owner.ex.order(a.id);
    if (!mine) {
      if (!mayBePruned(a.id, ctx)) out.push(v('ACK_ORDER_LOST', `node ${a.node} no longer knows its acknowledged order ${a.id}`));
      continue;
    }
    for (const n of nodes) {
      const copy = n.ex.order(a.id);
      if (!copy) {
        if (mine.status === 'open') out.push(v('ACK_ORDER_MISSING', `node ${n.index} does not know open order ${a.id} of node ${a.node}`));
        continue;
      }
      if (copy.status !== mine.status || copy.filled !== mine.filled || copy.seq !== mine.seq) {
        out.push(v('ACK_ORDER_DIFFERS', `node ${n.index} shows order ${a.id} as ${copy.status}/${copy.filled}/seq ${copy.seq}, its owner node ${a.node} as ${mine.status}/${mine.filled}/seq ${mine.seq}`));
      }
    }
  }
  const tradesOf = new Map(nodes.map((n) => [n.index, new Map(n.ex.trades().map((t) => [t.id, t]))]));
  for (const a of ctx.acks.trades) {
    for (const n of nodes) {
      const t = tradesOf.get(n.index)!.get(a.trade.id);
      if (!t) out.push(v('ACK_TRADE_MISSING', `node ${n.index} lacks trade ${a.trade.id} acknowledged to node ${a.node}`));
      else if (t.amount !== a.trade.amount || t.price !== a.trade.price || t.orderId !== a.trade.orderId) {
        out.push(v('ACK_TRADE_DIFFERS', `node ${n.index} has trade ${t.id} as ${t.amount}@${t.price}, acknowledged as ${a.trade.amount}@${a.trade.price}`));
      }
    }
  }
  for (const c of ctx.acks.cancels) {
    for (const n of nodes) {
      const o = n.ex.order(c.id);
      if (o && o.status !== 'cancelled') out.push(v('ACK_CANCEL_NOT_REFLECTED', `node ${n.index} shows order ${c.id}, cancelled by node ${c.node}, as ${o.status}`));
    }
  }
  for (const p of ctx.acks.pending) {
    const t = tradesOf.get(nodes[0].index)!.get(p.take.acceptId);
    if (t && t.amount > p.take.requested) out.push(v('PENDING_OVERGRANTED', `pending leg ${p.take.acceptId} of node ${p.node} became a trade of ${t.amount}, asked ${p.take.requested}`));
  }
  return out;
}
