/**
 * Every pm2 action's handler against real in-process exchange nodes (two, on loopback):
 * the replies a pm2 user gets, good params and each kind of bad one, with the codes
 * that come from the real node — and after each refusal the node still works.
 */
import { ACTIONS, runAction, type ActionName } from '../../src/operator/actions';
import type { Reply } from '../../src/operator/reply';
import type { Exchange } from '../../src/exchange/exchange';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';

let c: Cluster;
let a: Exchange;
let b: Exchange;

beforeAll(async () => {
  c = await cluster(2);
  await mesh(c.nodes);
  [a, b] = c.nodes;
});
afterAll(async () => {
  await c?.close();
});

/** What pm2 delivers for `pm2 trigger <node> <name> '<param>'`: the raw string. */
const call = (node: Exchange, name: ActionName, param: unknown = {}): Promise<Reply> => runAction(ACTIONS[name], node, param);

async function ok(node: Exchange, name: ActionName, param?: unknown): Promise<Record<string, unknown>> {
  const r = await call(node, name, param);
  if (!r.ok) throw new Error(`${name} ${String(param)}: expected ok, got ${JSON.stringify(r)}`);
  return r;
}

async function code(node: Exchange, name: ActionName, param?: unknown): Promise<string> {
  const r = await call(node, name, param);
  if (r.ok) throw new Error(`${name} ${String(param)}: expected a refusal, got ${JSON.stringify(r)}`);
  expect(r.error.message.length).toBeGreaterThan(0);
  return r.error.code;
}

async function stillWorks(node: Exchange): Promise<void> {
  expect(await ok(node, 'status')).toMatchObject({ nodeId: node.nodeId });
}

test('addOrder, orders, acceptOrder, trades, myOrders, cancelOrder: the happy path across two nodes', async () => {
  const placed = await ok(a, 'addOrder', '{"side":"sell","price":50000,"amount":1}');
  expect(placed).toMatchObject({ rested: '1.00000000', restedSats: 100_000_000, order: { side: 'sell', price: '50000.00', priceCents: 5_000_000 } });
  const id = (placed.order as { id: string }).id;
  await settle(c.nodes);
  expect(await ok(b, 'orders')).toMatchObject({ asks: [{ id, owner: a.nodeId, remaining: '1.00000000', stale: false }], bids: [] });

  const took = await ok(b, 'acceptOrder', JSON.stringify({ id, amount: '0.25' }));
  expect(took).toMatchObject({ filled: '0.25000000', trade: { orderId: id, maker: a.nodeId, taker: b.nodeId, price: '50000.00' } });
  await settle(c.nodes);
  expect(await ok(a, 'trades')).toMatchObject({ trades: [{ orderId: id, amountSats: 25_000_000 }] });
  expect(await ok(a, 'myOrders')).toMatchObject({ orders: [{ id, remaining: '0.75000000', status: 'open' }] });

  // Seed 001's form: buy BTC for USD; it crosses a's ask and takes the rest.
  const bought = await ok(b, 'addOrder', '{"buy":"BTC","sell":"USD","price":"50000","amount":0.75}');
  expect(bought).toMatchObject({ filled: '0.75000000', rested: '0.00000000', order: null });

  const bid = await ok(b, 'addOrder', '{"side":"buy","price":"49000.5","amount":"0.1"}');
  const bidId = (bid.order as { id: string }).id;
  expect(await ok(b, 'cancelOrder', JSON.stringify({ id: bidId }))).toMatchObject({ order: { id: bidId, status: 'cancelled' } });
  await settle(c.nodes);
  expect(await ok(a, 'orders')).toMatchObject({ bids: [], asks: [] });
});

test('bad params are refused with stable codes, and the node keeps working', async () => {
  const sell = await ok(a, 'addOrder', '{"side":"sell","price":60000,"amount":0.5}');
  const sellId = (sell.order as { id: string }).id;
  await settle(c.nodes);

  const cases: Array<[Exchange, ActionName, unknown, string]> = [
    [a, 'addOrder', '{side:buy}', 'BAD_PARAM_JSON'],
    [a, 'addOrder', '42', 'BAD_PARAM'],
    [a, 'addOrder', {}, 'BAD_PARAM'],
    [a, 'addOrder', '{"side":"hold","price":50000,"amount":1}', 'BAD_PARAM'],
    [a, 'addOrder', '{"side":"buy","price":50000,"amount":-1}', 'NOT_POSITIVE'],
    [a, 'addOrder', '{"side":"buy","price":50000,"amount":0}', 'NOT_POSITIVE'],
    [a, 'addOrder', '{"side":"buy","price":50000,"amount":0.000000001}', 'TOO_PRECISE'],
    [a, 'addOrder', '{"side":"buy","price":50000.001,"amount":1}', 'TOO_PRECISE'],
    [a, 'addOrder', '{"side":"buy","price":"fifty","amount":1}', 'NOT_A_NUMBER'],
    [a, 'addOrder', '{"side":"buy","price":50000,"amount":22000000}', 'OUT_OF_RANGE'],
    [b, 'acceptOrder', '{"id":"01a1fe4e-517d-720e-89cb-81023e990b61"}', 'UNKNOWN_ORDER'],
    [a, 'acceptOrder', JSON.stringify({ id: sellId }), 'OWN_ORDER'],
    [b, 'acceptOrder', JSON.stringify({ id: sellId, amount: 0.6 }), 'AMOUNT_TOO_LARGE'],
    [b, 'acceptOrder', JSON.stringify({ id: sellId, amount: -0.1 }), 'NOT_POSITIVE'],
    [b, 'acceptOrder', '{"amount":0.1}', 'BAD_PARAM'],
    [b, 'cancelOrder', JSON.stringify({ id: sellId }), 'NOT_OWNER'],
    [a, 'cancelOrder', '{"id":"nope"}', 'UNKNOWN_ORDER'],
    [a, 'connect', 'not-an-address', 'BAD_PARAM'],
    [a, 'connect', '127.0.0.1:99999', 'BAD_PARAM'],
    [a, 'connect', `127.0.0.1:${a.status().port}`, 'SELF_CONNECTION'],
  ];
  for (const [node, name, param, want] of cases) {
    expect([name, param, await code(node, name, param)]).toEqual([name, param, want]);
    await stillWorks(node);
  }
  // Refusals changed nothing: the ask is intact everywhere.
  await settle(c.nodes);
  expect(await ok(b, 'orders')).toMatchObject({ asks: [{ id: sellId, remaining: '0.50000000' }] });
  expect(a.digest()).toBe(b.digest());

  // A second cancel of a cancelled order, and an accept of it.
  await ok(a, 'cancelOrder', JSON.stringify({ id: sellId }));
  expect(await code(a, 'cancelOrder', JSON.stringify({ id: sellId }))).toBe('ORDER_CANCELLED');
  await settle(c.nodes);
  expect(await code(b, 'acceptOrder', JSON.stringify({ id: sellId }))).toBe('ORDER_CANCELLED');
});

test('connect, peers and status report the real network', async () => {
  const third = await c.start();
  const r = await ok(third, 'connect', `127.0.0.1:${a.status().port}`);
  expect(r).toMatchObject({ peer: { nodeId: a.nodeId, address: `127.0.0.1:${a.status().port}`, direction: 'outbound' } });
  expect(((await ok(third, 'peers')).peers as unknown[]).length).toBeGreaterThanOrEqual(1);
  expect(await ok(third, 'status')).toMatchObject({ nodeId: third.nodeId, address: `127.0.0.1:${third.status().port}` });
  expect(await code(third, 'connect', '127.0.0.1:1')).toBe('CONNECT_FAILED');
});
