/**
 * Orders at one price in any arrival order (issue 9), and level totals at any size
 * (issue 11), against a plain sort and BigInt sums.
 */
import fc from 'fast-check';
import { OrderBook, type RestingOrder } from '../../src/book';

const SEED = 911;
const N = 20_000;

function atOnePrice(n: number): RestingOrder[] {
  const out: RestingOrder[] = [];
  for (let i = 0; i < n; i++) out.push({ id: `id-${String(i).padStart(6, '0')}`, owner: `n${i % 7}`, side: 'sell', price: 5_000_000, amount: 1000 + i, ts: 1_000 + i });
  return out;
}

function before(a: RestingOrder, b: RestingOrder): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Book and reference agree on order, level by level, and on exact totals. */
function expectSame(book: OrderBook, live: Map<string, RestingOrder>): void {
  for (const side of ['buy', 'sell'] as const) {
    const want = [...live.values()].filter((o) => o.side === side).sort((a, b) => (side === 'buy' ? b.price - a.price : a.price - b.price) || before(a, b));
    expect(book.orders(side).map((o) => o.id)).toEqual(want.map((o) => o.id));
    const totals = new Map<number, bigint>();
    for (const o of want) totals.set(o.price, (totals.get(o.price) ?? 0n) + BigInt(o.amount));
    for (const level of book.depth(side)) {
      const exact = totals.get(level.price)!;
      expect(level.amountExact ?? BigInt(level.amount)).toBe(exact);
      expect(level.amountExact === undefined).toBe(exact <= BigInt(Number.MAX_SAFE_INTEGER));
    }
  }
}

describe('same-price insertion in any ts order', () => {
  test(`${N} orders at one price: descending ts gives the same level as ascending`, () => {
    const orders = atOnePrice(N);
    const asc = new OrderBook();
    for (const o of orders) asc.add(o);
    const desc = new OrderBook();
    for (let i = N - 1; i >= 0; i--) desc.add(orders[i]);
    const want = orders.map((o) => o.id);
    expect(asc.orders('sell').map((o) => o.id)).toEqual(want);
    expect(desc.orders('sell').map((o) => o.id)).toEqual(want);
    expect(desc.depth('sell')).toEqual(asc.depth('sell'));
  });

  test(`${N} late orders read O(log n) neighbours each, not the whole level`, () => {
    // Counts how many orders' ts the book reads: a walk from the tail reads about
    // N^2/2 = 2e8 for this arrival order; lanes read a few dozen per insert.
    const orders = atOnePrice(N);
    const book = new OrderBook();
    let reads = 0;
    const ts = book.store.ts.bind(book.store);
    book.store.ts = (h: number) => {
      reads++;
      return ts(h);
    };
    for (let i = N - 1; i >= 0; i--) book.add(orders[i]);
    expect(reads / N).toBeLessThan(4 * Math.log2(N) * 4);
    expect(book.orders('sell').map((o) => o.id)).toEqual(orders.map((o) => o.id));
  });

  test('inserts into the middle (alternating ends, then the gaps) keep priority order', () => {
    const orders = atOnePrice(4000);
    const book = new OrderBook();
    const arrival: RestingOrder[] = [];
    for (let i = 0; i < 2000; i += 2) arrival.push(orders[i], orders[3999 - i]);
    for (let i = 1; i < 2000; i += 2) arrival.push(orders[i], orders[3999 - i]);
    for (const o of arrival) book.add(o);
    expect(book.orders('sell').map((o) => o.id)).toEqual(orders.map((o) => o.id));
  });

  test.each([[0], [0x5eed], [-1]])('random adds, cancels and fills in any order match a plain sort (laneSeed %d)', (laneSeed) => {
    // Few prices and few distinct ts: long levels with many ts ties broken by id.
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ k: fc.constant('add' as const), side: fc.constantFrom('buy' as const, 'sell' as const), price: fc.integer({ min: 1, max: 4 }), ts: fc.integer({ min: 0, max: 60 }), n: fc.nat(1_000_000) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('fill' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 1500 }), (ops) => {
        const book = new OrderBook({ laneSeed });
        const live = new Map<string, RestingOrder>();
        let seq = 0;
        for (const o of ops) {
          if (o.k === 'add') {
            const order: RestingOrder = { id: `x${o.n}-${seq++}`, owner: 'o', side: o.side, price: o.price, amount: 1000, ts: o.ts };
            book.add(order);
            live.set(order.id, order);
          } else if (live.size > 0) {
            const ids = [...live.keys()];
            const id = ids[o.pick % ids.length];
            if (o.k === 'cancel') {
              expect(book.cancel(id)?.id).toBe(id);
              live.delete(id);
            } else {
              const cur = live.get(id)!;
              const fill = Math.min(cur.amount, o.part * 10);
              book.reduce(id, fill);
              if (fill === cur.amount) live.delete(id);
              else live.set(id, { ...cur, amount: cur.amount - fill });
            }
          }
        }
        expectSame(book, live);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe('level totals are exact at any size', () => {
  test('huge and small orders added, filled and cancelled: depth equals the BigInt sum', () => {
    const MAX = 2_100_000_000_000_000;
    const amount = fc.oneof(fc.constant(MAX), fc.integer({ min: MAX - 1000, max: MAX }), fc.integer({ min: 1, max: 10_000_000_000 }));
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ k: fc.constant('add' as const), price: fc.integer({ min: 1, max: 2 }), amount }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('fill' as const), pick: fc.nat(), fill: amount }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 200 }), (ops) => {
        const book = new OrderBook();
        const live = new Map<string, RestingOrder>();
        let seq = 0;
        for (const o of ops) {
          if (o.k === 'add') {
            const order: RestingOrder = { id: `h${seq}`, owner: 'o', side: 'buy', price: o.price, amount: o.amount, ts: seq++ };
            book.add(order);
            live.set(order.id, order);
          } else if (live.size > 0) {
            const ids = [...live.keys()];
            const id = ids[o.pick % ids.length];
            const cur = live.get(id)!;
            if (o.k === 'cancel') {
              book.cancel(id);
              live.delete(id);
            } else {
              const fill = Math.min(cur.amount, o.fill);
              expect(book.reduce(id, fill)).toBe(cur.amount - fill);
              if (fill === cur.amount) live.delete(id);
              else live.set(id, { ...cur, amount: cur.amount - fill });
            }
          }
        }
        expectSame(book, live);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
