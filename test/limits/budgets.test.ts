import { BUDGET_MAX_KEYS, Budgets, DEFAULT_LINK_BUDGETS, DEFAULT_ORIGIN_BUDGETS, ORIGIN_ORDER_RATE } from '../../src/limits/budgets';
import { BoundedMap } from '../../src/limits/bounded-map';

describe('Budgets', () => {
  test('the 20,000-order flood of one key: the burst passes, the rest waits for the rate', () => {
    const b = new Budgets(DEFAULT_ORIGIN_BUDGETS);
    let passed = 0;
    for (let i = 0; i < 20_000; i++) if (b.charge('attacker', 'order', 1000)) passed++;
    expect(passed).toBe(ORIGIN_ORDER_RATE.burst);
    // Another origin, and the same origin's other classes, are untouched.
    expect(b.charge('honest', 'order', 1000)).toBe(true);
    expect(b.charge('attacker', 'accept', 1000)).toBe(true);
    // One more order per 1000 / 5 = 200 ms.
    expect(b.charge('attacker', 'order', 1199)).toBe(false);
    expect(b.charge('attacker', 'order', 1200)).toBe(true);
  });

  test('an honest pace (a few orders a second) is never refused', () => {
    const b = new Budgets(DEFAULT_ORIGIN_BUDGETS);
    for (let t = 0; t < 600_000; t += 250) expect(b.charge('n1', 'order', t)).toBe(true);
  });

  test('a link carries many origins at once', () => {
    const link = new Budgets(DEFAULT_LINK_BUDGETS);
    let passed = 0;
    for (let i = 0; i < 5000; i++) if (link.charge('link-1', 'order', 0)) passed++;
    expect(passed).toBe(DEFAULT_LINK_BUDGETS.order.burst);
  });

  test('keys are bounded: the least recently charged is forgotten and comes back full', () => {
    const b = new Budgets(DEFAULT_ORIGIN_BUDGETS, 3);
    for (let i = 0; i < ORIGIN_ORDER_RATE.burst; i++) b.charge('a', 'order', 0);
    expect(b.available('a', 'order', 0)).toBe(0);
    b.charge('b', 'order', 0);
    b.charge('c', 'order', 0);
    b.charge('a', 'other', 0); // a is now the most recent
    b.charge('d', 'order', 0); // evicts b
    expect(b.size).toBe(3);
    expect(b.available('a', 'order', 0)).toBe(0);
    expect(b.available('b', 'order', 0)).toBe(ORIGIN_ORDER_RATE.burst);
    b.forget('a');
    expect(b.available('a', 'order', 0)).toBe(ORIGIN_ORDER_RATE.burst);
    expect(BUDGET_MAX_KEYS).toBeGreaterThan(1000);
  });

  test('a fresh key per event never grows the table past its bound', () => {
    const b = new Budgets(DEFAULT_ORIGIN_BUDGETS, 100);
    for (let i = 0; i < 10_000; i++) b.charge(`k${i}`, 'order', i);
    expect(b.size).toBe(100);
  });

  test('refuses a policy with a bad rate', () => {
    expect(() => new Budgets({ ...DEFAULT_ORIGIN_BUDGETS, accept: { tokens: 1, perMs: 1000, burst: 0 } })).toThrow(/accept\.burst/);
  });
});

describe('BoundedMap', () => {
  test('get refreshes recency, peek does not; set reports the evicted key', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.peek('a');
    expect(m.set('c', 3)).toBe('a');
    m.get('b');
    expect(m.set('d', 4)).toBe('c');
    expect([...m.entries()].map(([k]) => k)).toEqual(['b', 'd']);
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});
