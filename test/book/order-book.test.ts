import { BookError, OrderBook, type RestingOrder } from '../../src/book';

let seq = 0;
function order(o: Partial<RestingOrder> & Pick<RestingOrder, 'side' | 'price'>): RestingOrder {
  seq++;
  return { id: `o${seq}`, owner: `n${seq}`, amount: 100, ts: seq, ...o };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BookError);
    return (err as BookError).code;
  }
  throw new Error('expected a BookError');
}

describe('OrderBook', () => {
  test('best bid and ask, depth best first, size', () => {
    const book = new OrderBook();
    expect(book.bestBid()).toBeUndefined();
    expect(book.bestAsk()).toBeUndefined();
    book.add(order({ id: 'b1', side: 'buy', price: 100, amount: 5 }));
    book.add(order({ id: 'b2', side: 'buy', price: 102, amount: 7 }));
    book.add(order({ id: 'b3', side: 'buy', price: 100, amount: 1 }));
    book.add(order({ id: 'a1', side: 'sell', price: 110, amount: 2 }));
    book.add(order({ id: 'a2', side: 'sell', price: 105, amount: 3 }));
    expect(book.size).toBe(5);
    expect(book.bestBid()?.id).toBe('b2');
    expect(book.bestAsk()?.id).toBe('a2');
    expect(book.depth('buy')).toEqual([
      { price: 102, amount: 7, orders: 1 },
      { price: 100, amount: 6, orders: 2 },
    ]);
    expect(book.depth('sell', 1)).toEqual([{ price: 105, amount: 3, orders: 1 }]);
    expect(book.orders('buy').map((o) => o.id)).toEqual(['b2', 'b1', 'b3']);
    expect(book.orders().map((o) => o.id)).toEqual(['b2', 'b1', 'b3', 'a2', 'a1']);
  });

  test('hands out copies: mutating one does not touch the book', () => {
    const book = new OrderBook();
    const o = order({ side: 'sell', price: 100 });
    book.add(o);
    o.amount = 1;
    const got = book.get(o.id)!;
    expect(got.amount).toBe(100);
    got.amount = 2;
    expect(book.get(o.id)!.amount).toBe(100);
  });

  test('within a level: ts ascending, then id ascending, whatever the arrival order', () => {
    const book = new OrderBook();
    // Orders from other nodes arrive late: the one placed first must still come first.
    book.add(order({ id: 'c', side: 'sell', price: 100, ts: 20 }));
    book.add(order({ id: 'a', side: 'sell', price: 100, ts: 30 }));
    book.add(order({ id: 'late', side: 'sell', price: 100, ts: 10 }));
    book.add(order({ id: 'b', side: 'sell', price: 100, ts: 20 }));
    book.add(order({ id: 'd', side: 'sell', price: 100, ts: 20 }));
    book.add(order({ id: 'z', side: 'sell', price: 100, ts: 31 }));
    expect(book.orders('sell').map((o) => o.id)).toEqual(['late', 'b', 'c', 'd', 'a', 'z']);
  });

  test('cancel returns the order once; unknown, cancelled and filled ids give undefined', () => {
    const book = new OrderBook();
    book.add(order({ id: 'x', side: 'buy', price: 100, amount: 10 }));
    book.add(order({ id: 'y', side: 'buy', price: 100, amount: 10 }));
    expect(book.cancel('nope')).toBeUndefined();
    expect(book.cancel('x')).toMatchObject({ id: 'x', amount: 10 });
    expect(book.cancel('x')).toBeUndefined();
    expect(book.reduce('y', 10)).toBe(0);
    expect(book.cancel('y')).toBeUndefined();
    expect(book.size).toBe(0);
    expect(book.depth('buy')).toEqual([]);
  });

  test('cancel from the middle, head and tail of a level keeps the rest in order', () => {
    const book = new OrderBook();
    for (const id of ['a', 'b', 'c', 'd', 'e']) book.add(order({ id, side: 'buy', price: 100 }));
    book.cancel('c');
    book.cancel('a');
    book.cancel('e');
    expect(book.orders().map((o) => o.id)).toEqual(['b', 'd']);
    book.add(order({ id: 'f', side: 'buy', price: 100 }));
    expect(book.orders().map((o) => o.id)).toEqual(['b', 'd', 'f']);
    expect(book.depth('buy')).toEqual([{ price: 100, amount: 300, orders: 3 }]);
  });

  test('reduce keeps priority, removes at zero, refuses overfill and unknown ids', () => {
    const book = new OrderBook();
    book.add(order({ id: 'a', side: 'sell', price: 100, amount: 10 }));
    book.add(order({ id: 'b', side: 'sell', price: 100, amount: 10 }));
    expect(book.reduce('a', 4)).toBe(6);
    expect(book.orders().map((o) => [o.id, o.amount])).toEqual([
      ['a', 6],
      ['b', 10],
    ]);
    expect(book.depth('sell')).toEqual([{ price: 100, amount: 16, orders: 2 }]);
    expect(code(() => book.reduce('a', 7))).toBe('OVERFILL');
    expect(code(() => book.reduce('zzz', 1))).toBe('UNKNOWN_ORDER');
    expect(code(() => book.reduce('a', 1.5))).toBe('INVALID_ORDER');
    expect(code(() => book.reduce('a', -1))).toBe('INVALID_ORDER');
    expect(book.reduce('a', 0)).toBe(6);
    expect(book.reduce('a', 6)).toBe(0);
    expect(book.has('a')).toBe(false);
    expect(book.size).toBe(1);
  });

  test('refuses duplicate ids and malformed orders', () => {
    const book = new OrderBook();
    book.add(order({ id: 'a', side: 'buy', price: 100 }));
    expect(code(() => book.add(order({ id: 'a', side: 'sell', price: 200 })))).toBe('DUPLICATE_ID');
    const bad: Partial<RestingOrder>[] = [
      { id: '' },
      { side: 'up' as never },
      { price: 0 },
      { price: 10.5 },
      { price: 1_000_000_001 },
      { amount: 0 },
      { amount: -5 },
      { amount: 0.5 },
      { amount: 2_100_000_000_000_001 },
      { ts: NaN },
      { owner: 5 as never },
    ];
    for (const b of bad) expect(code(() => book.add({ ...order({ side: 'buy', price: 100 }), ...b }))).toBe('INVALID_ORDER');
    expect(book.size).toBe(1);
  });

  test('a level full of 21M BTC orders still takes an honest order; depth stays exact', () => {
    const book = new OrderBook();
    const max = 2_100_000_000_000_000;
    for (let i = 0; i < 5; i++) book.add(order({ side: 'buy', price: 100, amount: max }));
    book.add(order({ id: 'honest', side: 'buy', price: 100, amount: 50 * 100_000_000 }));
    const total = 5n * BigInt(max) + 5_000_000_000n;
    const [level] = book.depth('buy');
    expect(level.orders).toBe(6);
    expect(level.amountExact).toBe(total);
    expect(level.amount).toBe(Number(total));
    // Back under 2^53 the total is a plain safe integer again, with no amountExact.
    for (const o of book.orders('buy').slice(0, 2)) book.cancel(o.id);
    expect(book.depth('buy')).toEqual([{ price: 100, amount: 3 * max + 5_000_000_000, orders: 4 }]);
  });

  test('handles and levels are reused after churn', () => {
    const book = new OrderBook();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3000; i++) book.add(order({ id: `r${round}-${i}`, side: i % 2 ? 'buy' : 'sell', price: i % 2 ? 1000 - (i % 700) : 2000 + (i % 700) }));
      expect(book.size).toBe(3000);
      for (let i = 0; i < 3000; i++) expect(book.cancel(`r${round}-${i}`)?.id).toBe(`r${round}-${i}`);
      expect(book.size).toBe(0);
      expect(book.depth('buy')).toEqual([]);
      expect(book.depth('sell')).toEqual([]);
    }
  });
});
