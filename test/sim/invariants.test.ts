/**
 * The simulator's checks catch what they name: each one fed nodes that agree (no
 * violation) and nodes that break exactly that rule (its code). Nodes here are plain
 * stand-ins exposing the same read API as an Exchange.
 */
import type { OrderView, TradeView } from '../../src/exchange/api';
import { Acknowledged } from '../../src/sim/acknowledged';
import { checkQuiescent, checkRestored, snapshot, uncrossed, type CheckContext } from '../../src/sim/invariants';
import type { SimNode } from '../../src/sim/world';

const owner = (i: number) => String(i).repeat(64).slice(0, 64);

function order(id: string, own: number, side: 'buy' | 'sell', price: number, amount: number, filled = 0, status: OrderView['status'] = 'open'): OrderView {
  return { id, owner: owner(own), side, price, amount, filled, remaining: amount - filled, status, stale: false, ts: 1, seq: filled > 0 ? 1 : 0 };
}

function trade(id: string, orderId: string, maker: number, taker: number, amount: number): TradeView {
  return { id, orderId, maker: owner(maker), taker: owner(taker), side: 'sell', amount, price: 5_000_000, ts: 2 };
}

/** A node whose exchange shows `orders` (open ones in the book) and `trades`. */
function node(index: number, orders: OrderView[], trades: TradeView[], digest = 'd'): SimNode {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const open = orders.filter((o) => o.status === 'open');
  const ex = {
    digest: () => digest,
    trades: () => trades,
    order: (id: string) => byId.get(id) ?? null,
    myOrders: () => orders.filter((o) => o.owner === owner(index)),
    book: () => ({
      bids: open.filter((o) => o.side === 'buy').sort((a, b) => b.price - a.price),
      asks: open.filter((o) => o.side === 'sell').sort((a, b) => a.price - b.price),
      depth: { bids: [], asks: [] },
    }),
  };
  return { index, nodeId: owner(index), ex } as unknown as SimNode;
}

function ctx(acks = new Acknowledged(), closedAt = new Map<string, number>(), now = 1_000_000): CheckContext {
  return { acks, closedAt, retainMs: 600_000, now };
}

const codes = (vs: Array<{ code: string }>) => vs.map((v) => v.code);

test('nodes that agree on everything pass every check', () => {
  const orders = [order('o1', 1, 'sell', 5_000_000, 100, 40), order('o2', 2, 'buy', 4_990_000, 50)];
  const trades = [trade('t1', 'o1', 1, 2, 40)];
  const acks = new Acknowledged();
  acks.order(1, 'o1', 0);
  acks.trade(2, trades[0], 0);
  expect(checkQuiescent([node(1, orders, trades), node(2, orders, trades)], ctx(acks))).toEqual([]);
});

test('different books or trade lists are caught', () => {
  const o = [order('o1', 1, 'sell', 5_000_000, 100)];
  expect(codes(checkQuiescent([node(1, o, [], 'x'), node(2, o, [], 'y')], ctx()))).toEqual(['DIGEST_DIFFERS']);
  const t = [trade('t1', 'o1', 1, 2, 10)];
  expect(codes(checkQuiescent([node(1, o, t), node(2, o, [])], ctx()))).toContain('TRADES_DIFFER');
});

test('an order filled beyond its amount, or traded beyond its owner’s filled total, is caught', () => {
  const over = [order('o1', 1, 'sell', 5_000_000, 100, 120, 'filled')];
  expect(codes(checkQuiescent([node(1, over, [])], ctx()))).toContain('OVERFILL');
  const o = [order('o1', 1, 'sell', 5_000_000, 100, 30)];
  const t = [trade('t1', 'o1', 1, 2, 30), trade('t2', 'o1', 1, 3, 20)];
  expect(codes(checkQuiescent([node(1, o, t)], ctx()))).toEqual(['TRADES_EXCEED_FILLED']);
  const t2 = [trade('t1', 'o1', 1, 2, 60), trade('t2', 'o1', 1, 3, 60)];
  expect(codes(checkQuiescent([node(1, [order('o1', 1, 'sell', 5_000_000, 100, 100, 'filled')], t2)], ctx()))).toContain('OVERFILL');
});

test('a bid at or above another owner’s ask is a crossed book; the same owner’s, or a stale one, is not', () => {
  const crossed = [order('b', 1, 'buy', 5_000_000, 10), order('a', 2, 'sell', 5_000_000, 10)];
  expect(codes(checkQuiescent([node(1, crossed, [])], ctx()))).toEqual(['CROSSED_BOOK']);
  const own = [order('b', 1, 'buy', 5_010_000, 10), order('a', 1, 'sell', 5_000_000, 10)];
  expect(checkQuiescent([node(1, own, [])], ctx())).toEqual([]);
  // Behind a same-owner pair, another owner's ask still crosses the bid.
  const behind = [...own, order('c', 2, 'sell', 5_005_000, 10)];
  expect(codes(checkQuiescent([node(1, behind, [])], ctx()))).toEqual(['CROSSED_BOOK']);
  // A stale order is never matched, so it cannot be crossed away (and is flagged on its own).
  const stale = [order('b', 1, 'buy', 5_000_000, 10), { ...order('a', 2, 'sell', 4_990_000, 10), stale: true }];
  expect(uncrossed([node(1, stale, [])])).toEqual([]);
  expect(codes(checkQuiescent([node(1, stale, [])], ctx()))).toEqual(['STALE_AT_END']);
});

test('an acknowledged order its owner forgot is caught — unless it closed longer than retention ago', () => {
  const acks = new Acknowledged();
  acks.order(1, 'gone', 0);
  expect(codes(checkQuiescent([node(1, [], [])], ctx(acks)))).toEqual(['ACK_ORDER_LOST']);
  expect(checkQuiescent([node(1, [], [])], ctx(acks, new Map([['gone', 300_000]])))).toEqual([]);
  expect(codes(checkQuiescent([node(1, [], [])], ctx(acks, new Map([['gone', 900_000]]))))).toEqual(['ACK_ORDER_LOST']);
});

test('an acknowledged order shown in another state elsewhere, or open and missing elsewhere, is caught', () => {
  const acks = new Acknowledged();
  acks.order(1, 'o1', 0);
  const mine = [order('o1', 1, 'sell', 5_000_000, 100, 100, 'filled')];
  const theirs = [order('o1', 1, 'sell', 5_000_000, 100)];
  expect(codes(checkQuiescent([node(1, mine, []), node(2, theirs, [])], ctx(acks)))).toContain('ACK_ORDER_DIFFERS');
  const open = [order('o1', 1, 'sell', 5_000_000, 100)];
  expect(codes(checkQuiescent([node(1, open, []), node(2, [], [])], ctx(acks)))).toEqual(['ACK_ORDER_MISSING']);
  // Closed on its owner and pruned elsewhere: fine.
  expect(checkQuiescent([node(1, mine, []), node(2, [], [])], ctx(acks))).toEqual([]);
});

test('an acknowledged trade missing anywhere, or an acknowledged cancel shown open, is caught', () => {
  const t = trade('t1', 'o1', 1, 2, 10);
  const acks = new Acknowledged();
  acks.trade(2, t, 0);
  const o = [order('o1', 1, 'sell', 5_000_000, 100, 10)];
  expect(codes(checkQuiescent([node(1, o, []), node(2, o, [])], ctx(acks)))).toEqual(['ACK_TRADE_MISSING', 'ACK_TRADE_MISSING']);
  const c = new Acknowledged();
  c.cancel(1, 'o1', 0);
  expect(codes(checkQuiescent([node(1, o, [])], ctx(c)))).toEqual(['ACK_CANCEL_NOT_REFLECTED']);
});

test('a restart that lost or changed an order of its own, or lost a trade, is caught', () => {
  const before = [order('o1', 1, 'sell', 5_000_000, 100, 40), order('o2', 1, 'buy', 4_900_000, 10)];
  const t = [trade('t1', 'o1', 1, 2, 40)];
  const snap = snapshot(node(1, before, t).ex);
  expect(checkRestored(node(1, before, t), snap, ctx())).toEqual([]);
  const after = [order('o1', 1, 'sell', 5_000_000, 100, 0)];
  expect(codes(checkRestored(node(1, after, []), snap, ctx()))).toEqual(['RESTART_CHANGED_ORDER', 'RESTART_LOST_ORDER', 'RESTART_LOST_TRADE']);
});
