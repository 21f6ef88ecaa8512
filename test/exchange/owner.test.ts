import { decideAccept, REFUSAL } from '../../src/exchange/owner';
import { Reservations } from '../../src/exchange/reservations';

const OWNER = 'a'.repeat(64);
const TAKER = 'b'.repeat(64);
const open = (amount: number, filled = 0) => ({ owner: OWNER, amount, filled, status: 'open' as const });

describe('decideAccept: the owner grants each accept at most what is left', () => {
  const cases: Array<[string, Parameters<typeof decideAccept>, { fill: number; reason?: string; filled: number; status: string }]> = [
    ['full take', [open(100), 0, { taker: TAKER, amount: 100, deadline: 10 }, 5], { fill: 100, filled: 100, status: 'filled' }],
    ['partial take', [open(100), 0, { taker: TAKER, amount: 30, deadline: 10 }, 5], { fill: 30, filled: 30, status: 'open' }],
    ['asks more than left', [open(100, 70), 0, { taker: TAKER, amount: 50, deadline: 10 }, 5], { fill: 30, reason: REFUSAL.PARTIAL, filled: 100, status: 'filled' }],
    ['own reservations held back', [open(100), 60, { taker: TAKER, amount: 50, deadline: 10 }, 5], { fill: 40, reason: REFUSAL.PARTIAL, filled: 40, status: 'open' }],
    ['everything reserved', [open(100), 100, { taker: TAKER, amount: 1, deadline: 10 }, 5], { fill: 0, reason: REFUSAL.RESERVED, filled: 0, status: 'open' }],
    ['deadline passed on the earliest the taker can read', [open(100), 0, { taker: TAKER, amount: 1, deadline: 10 }, 11], { fill: 0, reason: REFUSAL.DEADLINE, filled: 0, status: 'open' }],
    ['deadline reached, not passed', [open(100), 0, { taker: TAKER, amount: 1, deadline: 10 }, 10], { fill: 1, filled: 1, status: 'open' }],
    ['own order', [open(100), 0, { taker: OWNER, amount: 1, deadline: 10 }, 5], { fill: 0, reason: REFUSAL.OWN_ORDER, filled: 0, status: 'open' }],
    ['already filled', [open(100, 100), 0, { taker: TAKER, amount: 1, deadline: 10 }, 5], { fill: 0, reason: REFUSAL.FILLED, filled: 100, status: 'open' }],
    [
      'cancelled',
      [{ owner: OWNER, amount: 100, filled: 10, status: 'cancelled' }, 0, { taker: TAKER, amount: 1, deadline: 10 }, 5],
      { fill: 0, reason: REFUSAL.CANCELLED, filled: 10, status: 'cancelled' },
    ],
  ];
  it.each(cases)('%s', (_name, args, want) => {
    expect(decideAccept(...args)).toEqual(want);
  });

  it('answering a stream of accepts in order never grants more than the amount', () => {
    let order = open(1_000);
    let granted = 0;
    for (let i = 0; i < 50; i++) {
      const d = decideAccept(order, 0, { taker: TAKER, amount: 17 + (i % 7) * 13, deadline: 10 }, 5);
      granted += d.fill;
      order = { ...order, filled: d.filled, status: d.status === 'cancelled' ? 'open' : d.status } as typeof order;
    }
    expect(granted).toBe(1_000);
  });
});

describe('Reservations', () => {
  it('tracks sats by order taken and by our order taking, and releases once', () => {
    const r = new Reservations();
    r.add({ acceptId: 'x1', orderId: 'o1', forOrder: 'mine', amount: 30 });
    r.add({ acceptId: 'x2', orderId: 'o1', forOrder: null, amount: 20 });
    expect(r.reservedOn('o1')).toBe(50);
    expect(r.takingFor('mine')).toBe(30);
    expect(r.release('x1')?.amount).toBe(30);
    expect(r.release('x1')).toBeUndefined();
    expect(r.reservedOn('o1')).toBe(20);
    expect(r.takingFor('mine')).toBe(0);
    expect(r.size).toBe(1);
  });
});
