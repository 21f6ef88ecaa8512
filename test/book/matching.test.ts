import { BookError, type Incoming, OrderBook, type RestingOrder, match, plan } from '../../src/book';

type Row = [id: string, owner: string, side: 'buy' | 'sell', price: number, amount: number, ts: number];

function bookOf(rows: Row[]): OrderBook {
  const book = new OrderBook();
  for (const [id, owner, side, price, amount, ts] of rows) book.add({ id, owner, side, price, amount, ts });
  return book;
}

const ASKS: Row[] = [
  ['a1', 'm1', 'sell', 101, 5, 1],
  ['a2', 'm2', 'sell', 101, 5, 2],
  ['a3', 'm3', 'sell', 102, 10, 1],
  ['a4', 'm4', 'sell', 105, 10, 1],
  ['b1', 'm5', 'buy', 99, 10, 1],
  ['b2', 'm6', 'buy', 98, 10, 1],
];

interface Case {
  name: string;
  rows: Row[];
  incoming: Incoming;
  legs: [id: string, amount: number, price: number][];
  rested: number | null;
  selfTrade?: boolean;
  after: [id: string, amount: number][];
}

const cases: Case[] = [
  {
    name: 'partial fills across several levels, at each resting price',
    rows: ASKS,
    incoming: { side: 'buy', price: 102, amount: 14, owner: 't', id: 't1', ts: 9 },
    legs: [
      ['a1', 5, 101],
      ['a2', 5, 101],
      ['a3', 4, 102],
    ],
    rested: null,
    after: [['b1', 10], ['b2', 10], ['a3', 6], ['a4', 10]],
  },
  {
    name: 'FIFO within a level: earlier ts first',
    rows: [
      ['late', 'm1', 'sell', 100, 5, 3],
      ['early', 'm2', 'sell', 100, 5, 1],
      ['mid', 'm3', 'sell', 100, 5, 2],
    ],
    incoming: { side: 'buy', price: 100, amount: 7, owner: 't', id: 't1', ts: 9 },
    legs: [
      ['early', 5, 100],
      ['mid', 2, 100],
    ],
    rested: null,
    after: [['mid', 3], ['late', 5]],
  },
  {
    name: 'equal ts: lower id first',
    rows: [
      ['b', 'm1', 'buy', 100, 5, 1],
      ['a', 'm2', 'buy', 100, 5, 1],
    ],
    incoming: { side: 'sell', price: 100, amount: 5, owner: 't', id: 't1', ts: 9 },
    legs: [['a', 5, 100]],
    rested: null,
    after: [['b', 5]],
  },
  {
    name: 'remainder of a limit order rests at its price',
    rows: ASKS,
    incoming: { side: 'buy', price: 101, amount: 13, owner: 't', id: 't1', ts: 9 },
    legs: [
      ['a1', 5, 101],
      ['a2', 5, 101],
    ],
    rested: 3,
    after: [['t1', 3], ['b1', 10], ['b2', 10], ['a3', 10], ['a4', 10]],
  },
  {
    name: 'a limit order that does not cross just rests',
    rows: ASKS,
    incoming: { side: 'sell', price: 100, amount: 4, owner: 't', id: 't1', ts: 9 },
    legs: [],
    rested: 4,
    after: [['b1', 10], ['b2', 10], ['t1', 4], ['a1', 5], ['a2', 5], ['a3', 10], ['a4', 10]],
  },
  {
    name: 'market order empties a side and never rests',
    rows: ASKS,
    incoming: { side: 'sell', price: null, amount: 50, owner: 't' },
    legs: [
      ['b1', 10, 99],
      ['b2', 10, 98],
    ],
    rested: null,
    after: [['a1', 5], ['a2', 5], ['a3', 10], ['a4', 10]],
  },
  {
    name: 'market order on an empty side fills nothing',
    rows: [],
    incoming: { side: 'buy', price: null, amount: 5, owner: 't' },
    legs: [],
    rested: null,
    after: [],
  },
  {
    name: 'self-trade prevention: stops at the own order, keeps earlier legs, drops the remainder',
    rows: [
      ['a1', 'm1', 'sell', 101, 5, 1],
      ['own', 't', 'sell', 101, 5, 2],
      ['a3', 'm3', 'sell', 101, 5, 3],
    ],
    incoming: { side: 'buy', price: 101, amount: 12, owner: 't', id: 't1', ts: 9 },
    legs: [['a1', 5, 101]],
    rested: null,
    selfTrade: true,
    after: [['own', 5], ['a3', 5]],
  },
  {
    name: 'self-trade prevention only when the own order would match',
    rows: [
      ['a1', 'm1', 'sell', 101, 5, 1],
      ['own', 't', 'sell', 103, 5, 1],
    ],
    incoming: { side: 'buy', price: 102, amount: 7, owner: 't', id: 't1', ts: 9 },
    legs: [['a1', 5, 101]],
    rested: 2,
    after: [['t1', 2], ['own', 5]],
  },
];

describe('match and plan: table', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const book = bookOf(c.rows);
    const planned = plan(book, c.incoming);
    const before = book.orders();
    const legs = c.legs.map(([id, amount, price]) => ({ id, amount, price }));
    const simple = (r: { legs: { order: RestingOrder; amount: number; price: number }[] }) =>
      r.legs.map((l) => ({ id: l.order.id, amount: l.amount, price: l.price }));
    expect(simple(planned)).toEqual(legs);
    expect(book.orders()).toEqual(before); // plan is read-only
    const filled = c.legs.reduce((n, [, a]) => n + a, 0);
    expect(planned).toMatchObject({ filled, remaining: c.incoming.amount - filled, selfTrade: c.selfTrade ?? false });

    const done = match(book, c.incoming);
    expect(simple(done)).toEqual(legs);
    expect(done.filled).toBe(filled);
    expect(done.selfTrade).toBe(c.selfTrade ?? false);
    expect(done.rested?.amount ?? null).toBe(c.rested);
    if (done.rested) expect(done.rested).toMatchObject({ id: c.incoming.id, price: c.incoming.price, owner: c.incoming.owner });
    expect(book.orders().map((o) => [o.id, o.amount])).toEqual(c.after);
  });
});

describe('plan options (reservations, stale owners)', () => {
  test('available() takes less than an order has; 0 passes it over', () => {
    const book = bookOf(ASKS);
    const reserved: Record<string, number> = { a1: 5, a2: 2 };
    const r = plan(book, { side: 'buy', price: 102, amount: 8, owner: 't' }, { available: (o) => o.amount - (reserved[o.id] ?? 0) });
    expect(r.legs.map((l) => [l.order.id, l.amount])).toEqual([
      ['a2', 3],
      ['a3', 5],
    ]);
    expect(r).toMatchObject({ filled: 8, remaining: 0 });
  });

  test('eligible() false passes an order over, even an own one', () => {
    const book = bookOf([
      ['stale', 'm1', 'sell', 100, 5, 1],
      ['own-stale', 't', 'sell', 100, 5, 2],
      ['ok', 'm2', 'sell', 101, 5, 1],
    ]);
    const r = plan(book, { side: 'buy', price: null, amount: 20, owner: 't' }, { eligible: (o) => !o.id.includes('stale') });
    expect(r.legs.map((l) => l.order.id)).toEqual(['ok']);
    expect(r).toMatchObject({ filled: 5, remaining: 15, selfTrade: false });
  });

  test('match applies the same options', () => {
    const book = bookOf(ASKS);
    const r = match(book, { side: 'buy', price: 101, amount: 8, owner: 't', id: 't1', ts: 5 }, { available: (o) => (o.id === 'a1' ? 1 : o.amount) });
    expect(r.legs.map((l) => [l.order.id, l.amount])).toEqual([
      ['a1', 1],
      ['a2', 5],
    ]);
    expect(r.rested?.amount).toBe(2);
    expect(book.get('a1')?.amount).toBe(4);
  });

  test('available() must return an integer', () => {
    const book = bookOf(ASKS);
    expect(() => plan(book, { side: 'buy', price: 101, amount: 8, owner: 't' }, { available: () => 0.5 })).toThrow(BookError);
  });
});

describe('refusals leave the book untouched', () => {
  test.each<[string, Incoming, string]>([
    ['limit without id', { side: 'buy', price: 105, amount: 5, owner: 't', ts: 1 }, 'MISSING_ID'],
    ['limit without ts', { side: 'buy', price: 105, amount: 5, owner: 't', id: 'x' }, 'MISSING_ID'],
    ['limit with an id already resting', { side: 'buy', price: 105, amount: 5, owner: 't', id: 'a4', ts: 1 }, 'DUPLICATE_ID'],
    ['fractional amount', { side: 'buy', price: 105, amount: 0.5, owner: 't', id: 'x', ts: 1 }, 'INVALID_ORDER'],
    ['zero amount', { side: 'buy', price: null, amount: 0, owner: 't' }, 'INVALID_ORDER'],
    ['fractional price', { side: 'buy', price: 100.5, amount: 5, owner: 't', id: 'x', ts: 1 }, 'INVALID_ORDER'],
    ['bad side', { side: 'long' as never, price: 100, amount: 5, owner: 't', id: 'x', ts: 1 }, 'INVALID_ORDER'],
  ])('%s', (_name, incoming, code) => {
    const book = bookOf(ASKS);
    const before = book.orders();
    expect(() => match(book, incoming)).toThrow(expect.objectContaining({ code }));
    expect(book.orders()).toEqual(before);
  });
});
