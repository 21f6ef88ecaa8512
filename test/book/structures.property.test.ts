/**
 * The engine's own data structures against plain JS ones, on seeded random op
 * sequences long enough to split and merge PriceIndex blocks and to grow, wrap and
 * back-shift the open-addressing tables.
 */
import fc from 'fast-check';
import { IdIndex } from '../../src/book/id-index';
import { NIL, OrderStore } from '../../src/book/order-store';
import { NO_PRICE, PriceIndex } from '../../src/book/price-index';
import { PriceMap } from '../../src/book/price-map';

const SEED = 77;

// [insert?, value]: values from a small range collide often; a wide one spreads blocks.
const opsArb = (max: number) => fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max })), { minLength: 1500, maxLength: 4000 });

describe('PriceIndex = sorted Set', () => {
  test.each([[50], [3000], [1_000_000_000]])('prices in 1..%d', (max) => {
    fc.assert(
      fc.property(opsArb(max), (ops) => {
        const index = new PriceIndex();
        const model = new Set<number>();
        for (const [insert, p] of ops) {
          if (insert && !model.has(p)) {
            index.insert(p);
            model.add(p);
          } else if (!insert) {
            expect(index.delete(p)).toBe(model.delete(p));
          }
        }
        const sorted = [...model].sort((a, b) => a - b);
        expect(index.toArray()).toEqual(sorted);
        expect(index.size).toBe(sorted.length);
        expect(index.min()).toBe(sorted.length ? sorted[0] : NO_PRICE);
        expect(index.max()).toBe(sorted.length ? sorted[sorted.length - 1] : NO_PRICE);
        // above/below walk the whole set in both directions, and probe between members.
        let wrong = 0;
        let p = index.min();
        for (const want of sorted) {
          if (p !== want) wrong++;
          p = index.above(p);
        }
        expect(p).toBe(NO_PRICE);
        p = index.max();
        for (let i = sorted.length - 1; i >= 0; i--) {
          if (p !== sorted[i]) wrong++;
          p = index.below(p);
        }
        expect(p).toBe(NO_PRICE);
        // Probes between members: just above each one, below() finds it and above() the next.
        sorted.forEach((x, i) => {
          if (index.below(x + 1) !== x) wrong++;
          if (index.above(x) !== (sorted[i + 1] ?? NO_PRICE)) wrong++;
        });
        expect(index.below(sorted[0] ?? 1)).toBe(NO_PRICE);
        expect(wrong).toBe(0);
      }),
      { seed: SEED, numRuns: 15 },
    );
  });

  test('refuses a duplicate insert', () => {
    const index = new PriceIndex();
    index.insert(5);
    expect(() => index.insert(5)).toThrow();
  });
});

describe('PriceMap = Map<number, number>', () => {
  test.each([[40], [5000], [1_000_000_000]])('prices in 1..%d', (max) => {
    fc.assert(
      fc.property(opsArb(max), (ops) => {
        const map = new PriceMap();
        const model = new Map<number, number>();
        let wrong = 0;
        ops.forEach(([insert, p], i) => {
          if (insert && !model.has(p)) {
            map.set(p, i);
            model.set(p, i);
          } else if (!insert && model.has(p)) {
            map.delete(p);
            model.delete(p);
          }
          if (map.get(p) !== (model.get(p) ?? NIL)) wrong++;
        });
        expect(wrong).toBe(0);
        for (let p = 1; p <= Math.min(max, 100); p++) expect(map.get(p)).toBe(model.get(p) ?? NIL);
        for (const [p, v] of model) expect(map.get(p)).toBe(v);
      }),
      { seed: SEED + 1, numRuns: 15 },
    );
  });
});

describe('IdIndex = Map<string, handle>', () => {
  test('random adds and removes', () => {
    fc.assert(
      fc.property(opsArb(3000), (ops) => {
        const store = new OrderStore();
        const index = new IdIndex(store);
        const model = new Map<string, number>();
        let wrong = 0;
        for (const [insert, n] of ops) {
          // Ids built fresh each time: equal text, different string objects.
          const id = ['id', n].join('-');
          if (insert && !model.has(id)) {
            const h = store.alloc(id, 'owner', 100, 1, 0);
            index.set(id, h);
            model.set(id, h);
          } else if (!insert && model.has(id)) {
            const h = model.get(id)!;
            index.delete(id, h);
            store.free(h);
            model.delete(id);
          }
          if (index.get(id) !== (model.get(id) ?? NIL)) wrong++;
        }
        expect(wrong).toBe(0);
        expect(index.size).toBe(model.size);
        for (const [id, h] of model) expect(index.get(id)).toBe(h);
      }),
      { seed: SEED + 2, numRuns: 15 },
    );
  });
});
