import { ACTIONS, ACTION_NAMES, runAction, type ActionName } from '../../src/operator/actions';
import { ExchangeError } from '../../src/exchange/api';
import type { Reply } from '../../src/operator/reply';
import { FakeExchange, OTHER, SELF } from './support/fake-exchange';

let ex: FakeExchange;
beforeEach(() => {
  ex = new FakeExchange();
});

/** What pm2 would deliver for `pm2 trigger node1 <name> '<param>'`. */
function call(name: ActionName, param: unknown = {}): Promise<Reply> {
  return runAction(ACTIONS[name], ex, param);
}

async function okReply(name: ActionName, param: unknown = {}): Promise<Record<string, unknown>> {
  const r = await call(name, param);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
}

async function errorOf(name: ActionName, param: unknown = {}): Promise<{ code: string; message: string; field?: string }> {
  const r = await call(name, param);
  if (r.ok) throw new Error(`expected failure, got ${JSON.stringify(r)}`);
  expect(typeof r.error.message).toBe('string');
  expect(r.error.message.length).toBeGreaterThan(0);
  return r.error;
}

/** After any refused request the node must still answer normally. */
async function expectStillWorks(): Promise<void> {
  const r = await okReply('status');
  expect(r.nodeId).toBe(SELF);
  const placed = await okReply('addOrder', '{"side":"sell","price":"99999.99","amount":"0.00000001"}');
  expect(placed.restedSats).toBe(1);
}

describe('addOrder', () => {
  it('places a bid from the side form and replies with decimal strings and integer units', async () => {
    const r = await okReply('addOrder', '{"side":"buy","price":50000,"amount":1}');
    expect(r).toMatchObject({
      requested: '1.00000000',
      requestedSats: 100_000_000,
      filled: '0.00000000',
      filledSats: 0,
      rested: '1.00000000',
      restedSats: 100_000_000,
      fills: [],
      refused: [],
      order: {
        owner: SELF,
        side: 'buy',
        price: '50000.00',
        priceCents: 5_000_000,
        amount: '1.00000000',
        amountSats: 100_000_000,
        remainingSats: 100_000_000,
        status: 'open',
        stale: false,
      },
    });
    expect(ex.calls).toEqual([{ method: 'place', args: [{ side: 'buy', price: 5_000_000, amount: 100_000_000 }] }]);
  });

  it('lists legs whose owner has not answered as pending, neither refused nor rested; a late grant is a trade', async () => {
    const ask = ex.addForeign('sell', 4_900_000, 30_000_000);
    ex.unansweredNext();
    const r = await okReply('addOrder', '{"side":"buy","price":50000,"amount":0.5}');
    const order = r.order as { id: string };
    // 0.3 BTC waits for its answer; only the 0.2 BTC nobody was asked for rests.
    expect(r).toMatchObject({ filledSats: 0, restedSats: 20_000_000, fills: [], refused: [] });
    expect(r.pending).toEqual([
      {
        acceptId: expect.any(String),
        orderId: ask.id,
        requested: '0.30000000',
        requestedSats: 30_000_000,
        until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        forOrder: null,
        check: expect.stringContaining('appears in trades'),
      },
    ]);
    const { acceptId } = (r.pending as Array<{ acceptId: string }>)[0]!;
    ex.landLate(acceptId);
    expect((await okReply('myOrders')).orders).toEqual([expect.objectContaining({ id: order.id, filledSats: 0, remainingSats: 20_000_000 })]);
    expect((await okReply('trades')).trades).toEqual([expect.objectContaining({ id: acceptId, orderId: ask.id, amountSats: 30_000_000 })]);
  });

  it('says pending: [] when every leg was answered', async () => {
    expect((await okReply('addOrder', '{"side":"buy","price":50000,"amount":0.5}')).pending).toEqual([]);
  });

  it.each([
    ['{"buy":"BTC","sell":"USD","price":50000,"amount":1}', 'buy'],
    ['{"buy":"USD","sell":"BTC","price":50000,"amount":1}', 'sell'],
    ['{"buy":"btc","price":50000,"amount":1}', 'buy'],
    ['{"sell":"BTC","price":50000,"amount":1}', 'sell'],
    ['{"side":"SELL","sell":"BTC","price":50000,"amount":1}', 'sell'],
  ])('reads the seed form %s as side %s', async (param, side) => {
    await okReply('addOrder', param);
    expect(ex.calls[0]!.args[0]).toMatchObject({ side });
  });

  it('accepts decimal strings and an object param from a programmatic caller', async () => {
    await okReply('addOrder', { side: 'sell', price: '50000.5', amount: '0.25' });
    expect(ex.calls[0]!.args[0]).toEqual({ side: 'sell', price: 5_000_050, amount: 25_000_000 });
  });

  it('reports the fills it got and what rests', async () => {
    const ask = ex.addForeign('sell', 4_900_000, 30_000_000);
    const r = await okReply('addOrder', '{"side":"buy","price":50000,"amount":0.5}');
    expect(r).toMatchObject({ filledSats: 30_000_000, filled: '0.30000000', restedSats: 20_000_000, rested: '0.20000000' });
    expect(r.fills).toEqual([
      expect.objectContaining({ orderId: ask.id, maker: OTHER, taker: SELF, price: '49000.00', priceCents: 4_900_000, amount: '0.30000000', amountSats: 30_000_000 }),
    ]);
  });

  it.each([
    ['not JSON', "{side:'buy'}", 'BAD_PARAM_JSON', undefined],
    ['a bare word', 'buy', 'BAD_PARAM_JSON', undefined],
    ['no param', {}, 'BAD_PARAM', undefined],
    ['a number', '42', 'BAD_PARAM', undefined],
    ['an array', '[1,2]', 'BAD_PARAM', undefined],
    ['null', 'null', 'BAD_PARAM', undefined],
    ['an unknown key', '{"side":"buy","price":1,"amount":1,"type":"market"}', 'BAD_PARAM', 'type'],
    ['a misspelt key', '{"side":"buy","price":1,"ammount":1}', 'BAD_PARAM', 'ammount'],
    ['no side', '{"price":1,"amount":1}', 'BAD_PARAM', 'side'],
    ['a bad side', '{"side":"long","price":1,"amount":1}', 'BAD_PARAM', 'side'],
    ['a numeric side', '{"side":1,"price":1,"amount":1}', 'BAD_PARAM', 'side'],
    ['a bad currency', '{"buy":"EUR","price":1,"amount":1}', 'BAD_PARAM', 'buy'],
    ['conflicting sides', '{"side":"buy","sell":"BTC","price":1,"amount":1}', 'BAD_PARAM', 'side'],
    ['same currency twice', '{"buy":"BTC","sell":"BTC","price":1,"amount":1}', 'BAD_PARAM', 'side'],
    ['no price', '{"side":"buy","amount":1}', 'BAD_PARAM', 'price'],
    ['no amount', '{"side":"buy","price":1}', 'BAD_PARAM', 'amount'],
    ['a boolean amount', '{"side":"buy","price":1,"amount":true}', 'BAD_PARAM', 'amount'],
    ['an object price', '{"side":"buy","price":{"usd":1},"amount":1}', 'BAD_PARAM', 'price'],
    ['a negative amount', '{"side":"buy","price":50000,"amount":-1}', 'NOT_POSITIVE', 'amount'],
    ['a zero price', '{"side":"buy","price":0,"amount":1}', 'NOT_POSITIVE', 'price'],
    ['a too precise amount', '{"side":"buy","price":50000,"amount":0.000000001}', 'TOO_PRECISE', 'amount'],
    ['a too precise price', '{"side":"buy","price":"50000.001","amount":1}', 'TOO_PRECISE', 'price'],
    ['a non-numeric amount', '{"side":"buy","price":50000,"amount":"lots"}', 'NOT_A_NUMBER', 'amount'],
    ['an absurd amount', '{"side":"buy","price":50000,"amount":21000001}', 'OUT_OF_RANGE', 'amount'],
  ])('refuses %s', async (_what, param, code, field) => {
    const err = await errorOf('addOrder', param);
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(ex.calls).toEqual([]);
    await expectStillWorks();
  });

  it('passes an ExchangeError code through', async () => {
    ex.failNext('place', new ExchangeError('SELF_TRADE', 'would trade with yourself'));
    expect(await errorOf('addOrder', '{"side":"buy","price":1,"amount":1}')).toEqual({ code: 'SELF_TRADE', message: 'would trade with yourself' });
    await expectStillWorks();
  });

  it('turns an unexpected failure into INTERNAL', async () => {
    ex.failNext('place', new TypeError('x is undefined'));
    const err = await errorOf('addOrder', '{"side":"buy","price":1,"amount":1}');
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain('x is undefined');
    await expectStillWorks();
  });

  it('turns a non-Error rejection into INTERNAL', async () => {
    ex.failNext('place', 'boom');
    expect((await errorOf('addOrder', '{"side":"buy","price":1,"amount":1}')).code).toBe('INTERNAL');
  });
});

describe('acceptOrder', () => {
  it('takes all of an order when amount is omitted', async () => {
    const ask = ex.addForeign('sell', 5_000_000, 50_000_000);
    const r = await okReply('acceptOrder', JSON.stringify({ id: ask.id }));
    expect(r).toMatchObject({ orderId: ask.id, requestedSats: 50_000_000, filled: '0.50000000', filledSats: 50_000_000 });
    expect(r.trade).toMatchObject({ orderId: ask.id, amount: '0.50000000', price: '50000.00' });
    expect(r).not.toHaveProperty('reason');
    expect(ex.calls[0]!.args).toEqual([ask.id, undefined]);
  });

  it('takes part of an order', async () => {
    const bid = ex.addForeign('buy', 5_000_000, 100_000_000);
    await okReply('acceptOrder', JSON.stringify({ id: bid.id, amount: 0.5 }));
    expect(ex.calls[0]!.args).toEqual([bid.id, 50_000_000]);
  });

  it('reports the reason when the owner filled less', async () => {
    const ask = ex.addForeign('sell', 5_000_000, 10_000_000);
    const r = await okReply('acceptOrder', JSON.stringify({ id: ask.id, amount: '0.5' }));
    expect(r).toMatchObject({ requestedSats: 50_000_000, filledSats: 10_000_000, reason: 'PARTIAL' });
  });

  it.each([
    ['not JSON', 'abc', 'BAD_PARAM_JSON', undefined],
    ['no param', {}, 'BAD_PARAM', undefined],
    ['no id', '{"amount":1}', 'BAD_PARAM', 'id'],
    ['a numeric id', '{"id":42}', 'BAD_PARAM', 'id'],
    ['an empty id', '{"id":""}', 'BAD_PARAM', 'id'],
    ['a huge id', JSON.stringify({ id: 'x'.repeat(500) }), 'BAD_PARAM', 'id'],
    ['an unknown key', '{"id":"x","price":1}', 'BAD_PARAM', 'price'],
    ['a negative amount', '{"id":"x","amount":-0.5}', 'NOT_POSITIVE', 'amount'],
    ['a too precise amount', '{"id":"x","amount":"0.123456789"}', 'TOO_PRECISE', 'amount'],
    ['a null amount', '{"id":"x","amount":null}', 'BAD_PARAM', 'amount'],
  ])('refuses %s', async (_what, param, code, field) => {
    const err = await errorOf('acceptOrder', param);
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(ex.calls).toEqual([]);
    await expectStillWorks();
  });

  it('answers OUTCOME_UNKNOWN, not a refusal, when the owner has not answered, and says what may still land', async () => {
    const ask = ex.addForeign('sell', 5_000_000, 100_000_000);
    ex.unansweredNext();
    const r = await call('acceptOrder', JSON.stringify({ id: ask.id, amount: 0.4 }));
    if (r.ok) throw new Error(`expected OUTCOME_UNKNOWN, got ${JSON.stringify(r)}`);
    const acceptId = r.pending?.acceptId as string;
    const until = new Date(1_700_000_000_001 + 60_000).toISOString();
    expect(r.error).toEqual({
      code: 'OUTCOME_UNKNOWN',
      cause: 'OWNER_NOT_ANSWERING',
      message: `acceptOrder: the owner of ${ask.id} did not answer in time; a grant it decided in time may still arrive until ${until}`,
    });
    expect(r.pending).toEqual({
      acceptId,
      orderId: ask.id,
      requested: '0.40000000',
      requestedSats: 40_000_000,
      until,
      forOrder: null,
      check: expect.stringContaining(`trade ${acceptId} appears in trades`),
    });
    expect(r.pending!.check).toContain('accept.late');
    expect((await okReply('status')).late).toEqual({ unknown: 1, landed: 0, lapsed: 0 });

    // The late grant lands: it is visible where the reply said it would be.
    ex.landLate(acceptId);
    expect((await okReply('trades')).trades).toEqual([expect.objectContaining({ id: acceptId, orderId: ask.id, amountSats: 40_000_000 })]);
    expect((await okReply('status')).late).toEqual({ unknown: 1, landed: 1, lapsed: 0 });
  });

  it('passes the exchange refusal of an unknown id through', async () => {
    expect((await errorOf('acceptOrder', '{"id":"0190a1b2-0000-7000-8000-000000000000"}')).code).toBe('UNKNOWN_ORDER');
    await expectStillWorks();
  });

  it('passes the exchange refusal of our own order through', async () => {
    const mine = await okReply('addOrder', '{"side":"sell","price":50000,"amount":1}');
    const id = (mine.order as { id: string }).id;
    expect((await errorOf('acceptOrder', JSON.stringify({ id }))).code).toBe('OWN_ORDER');
    await expectStillWorks();
  });
});

describe('cancelOrder', () => {
  it('cancels our own order', async () => {
    const placed = await okReply('addOrder', '{"side":"buy","price":50000,"amount":1}');
    const id = (placed.order as { id: string }).id;
    const r = await okReply('cancelOrder', JSON.stringify({ id }));
    expect(r.order).toMatchObject({ id, status: 'cancelled' });
    expect((await okReply('orders')).bids).toEqual([]);
  });

  it.each([
    ['not JSON', 'some-id', 'BAD_PARAM_JSON'],
    ['no id', '{}', 'BAD_PARAM'],
    ['an extra key', '{"id":"x","amount":1}', 'BAD_PARAM'],
    ['an id array', '{"id":["x"]}', 'BAD_PARAM'],
  ])('refuses %s', async (_what, param, code) => {
    expect((await errorOf('cancelOrder', param)).code).toBe(code);
    expect(ex.calls).toEqual([]);
    await expectStillWorks();
  });

  it('passes NOT_OWNER and UNKNOWN_ORDER through', async () => {
    const theirs = ex.addForeign('sell', 5_000_000, 1);
    expect((await errorOf('cancelOrder', JSON.stringify({ id: theirs.id }))).code).toBe('NOT_OWNER');
    expect((await errorOf('cancelOrder', '{"id":"nope"}')).code).toBe('UNKNOWN_ORDER');
    await expectStillWorks();
  });
});

describe('connect', () => {
  beforeEach(() => {
    ex.reachable.set('127.0.0.1:3002', OTHER);
  });

  it.each([
    ['127.0.0.1:3002'],
    [' 127.0.0.1:3002 '],
    ['"127.0.0.1:3002"'],
    ['{"host":"127.0.0.1","port":3002}'],
    ['{"address":"127.0.0.1:3002"}'],
  ])('dials %s and replies with the peer', async (param) => {
    const r = await okReply('connect', param);
    expect(r.peer).toMatchObject({ nodeId: OTHER, address: '127.0.0.1:3002', direction: 'outbound' });
    expect(ex.calls[0]!.args).toEqual(['127.0.0.1', 3002]);
  });

  it('accepts bracketed IPv6 and hostnames', async () => {
    ex.reachable.set('::1:3002', OTHER);
    ex.reachable.set('localhost:3003', OTHER);
    await okReply('connect', '[::1]:3002');
    await okReply('connect', 'localhost:3003');
    expect(ex.calls.map((c) => c.args)).toEqual([['::1', 3002], ['localhost', 3003]]);
  });

  it.each([
    ['no param', {}, 'BAD_PARAM'],
    ['no port', '127.0.0.1', 'BAD_PARAM'],
    ['port 0', '127.0.0.1:0', 'BAD_PARAM'],
    ['port too big', '127.0.0.1:70000', 'BAD_PARAM'],
    ['a hex port', '127.0.0.1:0x10', 'BAD_PARAM'],
    ['a URL', 'http://127.0.0.1:3002', 'BAD_PARAM'],
    ['unbracketed IPv6', '::1:3002', 'BAD_PARAM'],
    ['broken JSON', '{"host":', 'BAD_PARAM_JSON'],
    ['a string port', '{"host":"127.0.0.1","port":"3002"}', 'BAD_PARAM'],
    ['a bad host', '{"host":"a b","port":3002}', 'BAD_PARAM'],
    ['a number', '42', 'BAD_PARAM'],
    ['address with host', '{"address":"127.0.0.1:3002","host":"127.0.0.1"}', 'BAD_PARAM'],
    ['a numeric address', '{"address":3002}', 'BAD_PARAM'],
    ['an address without port', '{"address":"127.0.0.1"}', 'BAD_PARAM'],
  ])('refuses %s', async (_what, param, code) => {
    expect((await errorOf('connect', param)).code).toBe(code);
    expect(ex.calls).toEqual([]);
    await expectStillWorks();
  });

  it('replies with why a dial failed', async () => {
    const err = await errorOf('connect', '127.0.0.1:3009');
    expect(err).toEqual({ code: 'CONNECT_FAILED', message: 'connect ECONNREFUSED 127.0.0.1:3009' });
    await expectStillWorks();
  });
});

describe('read-only actions', () => {
  it('orders shows the book with ids, owners, amounts, stale flags and depth', async () => {
    const stale = ex.addForeign('sell', 5_100_000, 20_000_000, { stale: true });
    await okReply('addOrder', '{"side":"buy","price":49000,"amount":1}');
    await okReply('addOrder', '{"side":"buy","price":49000,"amount":0.5}');
    const r = await okReply('orders');
    expect(r.asks).toEqual([expect.objectContaining({ id: stale.id, owner: OTHER, stale: true, amount: '0.20000000', price: '51000.00' })]);
    expect(r.bids).toHaveLength(2);
    expect(r.depth).toEqual({
      bids: [{ price: '49000.00', priceCents: 4_900_000, amount: '1.50000000', amountSats: 150_000_000, orders: 2 }],
      asks: [{ price: '51000.00', priceCents: 5_100_000, amount: '0.20000000', amountSats: 20_000_000, orders: 1 }],
    });
  });

  it('myOrders, trades and peers list what they hold', async () => {
    ex.reachable.set('127.0.0.1:3002', OTHER);
    await okReply('connect', '127.0.0.1:3002');
    const ask = ex.addForeign('sell', 5_000_000, 10_000_000);
    await okReply('acceptOrder', JSON.stringify({ id: ask.id }));
    await okReply('addOrder', '{"side":"buy","price":1,"amount":1}');
    expect(((await okReply('myOrders')).orders as unknown[]).length).toBe(1);
    expect((await okReply('trades')).trades).toEqual([expect.objectContaining({ orderId: ask.id, amountSats: 10_000_000 })]);
    expect((await okReply('peers')).peers).toEqual([expect.objectContaining({ nodeId: OTHER, address: '127.0.0.1:3002' })]);
  });

  it('status shows node id, address, uptime and counts', async () => {
    expect(await okReply('status')).toEqual({
      ok: true,
      nodeId: SELF,
      address: '127.0.0.1:3001',
      uptimeMs: 93_784_000,
      uptime: '1d 2h 3m 4s',
      peers: 0,
      orders: { bids: 0, asks: 0, stale: 0, mine: 0 },
      trades: 0,
      eventsIn: 0,
      eventsOut: 0,
      late: { unknown: 0, landed: 0, lapsed: 0 },
    });
  });

  it.each(['orders', 'myOrders', 'trades', 'peers', 'status'] as const)('%s accepts no param, "" and {} and refuses anything else', async (name) => {
    await okReply(name, {});
    await okReply(name, '');
    await okReply(name, undefined);
    expect((await errorOf(name, '{"side":"buy"}')).code).toBe('BAD_PARAM');
    expect((await errorOf(name, 'x')).code).toBe('BAD_PARAM');
  });

  it('a throwing view becomes INTERNAL', async () => {
    ex.failNext('status', new RangeError('bad'));
    expect((await errorOf('status')).code).toBe('INTERNAL');
    await expectStillWorks();
  });
});

it('every action is in the table', () => {
  expect(ACTION_NAMES.sort()).toEqual(['acceptOrder', 'addOrder', 'cancelOrder', 'connect', 'myOrders', 'orders', 'peers', 'status', 'trades']);
});
