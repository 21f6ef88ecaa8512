/**
 * The order-event kinds are declared exactly (src/exchange/events.ts): known keys only,
 * integer bounds, and a byte bound per kind — so no padding survives, and the largest
 * answer an owner can ever have to give still fits its kind.
 */
import { Identity } from '../../src/identity/identity';
import { DECLARATIONS, EventShapeError, KIND, MAX_SEQ, parseAccept, parseAdd, parseConfirm, parseHeartbeat } from '../../src/exchange/events';
import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS } from '../../src/book/units';
import { MAX_EVENT_TS } from '../../src/wire/event-body';
import { signEvent } from '../support/sign';

const owner = Identity.generate();
const taker = Identity.generate();
const T = 1_767_225_600_000;

test('an add is exactly {side, price, amount}: an extra key (padding) is refused, however small', () => {
  const ok = signEvent(owner, KIND.add, { side: 'sell', price: 5_000_000, amount: 1 }, T);
  expect(parseAdd(ok.data, ok.raw.body.length)).toEqual({ side: 'sell', price: 5_000_000, amount: 1 });
  const padded = signEvent(owner, KIND.add, { side: 'sell', price: 5_000_000, amount: 1, pad: 'x' }, T);
  expect(() => parseAdd(padded.data, padded.raw.body.length)).toThrow(EventShapeError);
  const huge = signEvent(owner, KIND.add, { side: 'sell', price: 5_000_000, amount: 1, pad: 'x'.repeat(1_000_000) }, T);
  expect(() => parseAdd(huge.data, huge.raw.body.length)).toThrow(/bytes encoded/);
});

test.each([
  ['price 0', { side: 'buy', price: 0, amount: 1 }],
  ['price above the bound', { side: 'buy', price: MAX_PRICE_CENTS + 1, amount: 1 }],
  ['amount above 21 M BTC', { side: 'buy', price: 1, amount: MAX_AMOUNT_SATS + 1 }],
  ['side neither buy nor sell', { side: 'hold', price: 1, amount: 1 }],
  ['a missing key', { side: 'buy', price: 1 }],
])('an add with %s is refused', (_name, data) => {
  const ev = signEvent(owner, KIND.add, data, T);
  expect(() => parseAdd(ev.data, ev.raw.body.length)).toThrow(EventShapeError);
});

test('a heartbeat carries nothing', () => {
  expect(parseHeartbeat({}, 100)).toEqual({});
  expect(() => parseHeartbeat({ x: 1 }, 100)).toThrow(EventShapeError);
});

test('the largest confirm an owner can ever publish fits its declared bound (it can always answer)', () => {
  // Every field at its largest legal value: the biggest add, the biggest accept.
  const add = signEvent(owner, KIND.add, { side: 'sell', price: MAX_PRICE_CENTS, amount: MAX_AMOUNT_SATS }, T);
  const acc = signEvent(taker, KIND.accept, { order: add.id, amount: MAX_AMOUNT_SATS, deadline: MAX_EVENT_TS }, T);
  expect(parseAccept(acc.data, acc.raw.body.length).amount).toBe(MAX_AMOUNT_SATS);
  const conf = signEvent(owner, KIND.confirm, {
    order: add.id,
    seq: MAX_SEQ,
    filled: MAX_AMOUNT_SATS,
    status: 'filled',
    add: add.raw.body,
    addSig: add.raw.sig,
    accept: acc.id,
    taker: taker.nodeId,
    amount: MAX_AMOUNT_SATS,
    reason: 'X'.repeat(64),
    acceptBody: acc.raw.body,
    acceptSig: acc.raw.sig,
  }, T);
  expect(conf.raw.body.length).toBeLessThanOrEqual(DECLARATIONS[KIND.confirm].maxBytes);
  expect(parseConfirm(conf.data, conf.raw.body.length).amount).toBe(MAX_AMOUNT_SATS);
  // And a confirm embedding an accept padded beyond any real accept is refused.
  const fat = { ...conf.data, acceptBody: Buffer.alloc(DECLARATIONS[KIND.accept].maxBytes + 1) };
  expect(() => parseConfirm(fat, 1000)).toThrow(EventShapeError);
});

test('every kind has a finite byte bound far below the frame limit', () => {
  for (const [kind, d] of Object.entries(DECLARATIONS)) {
    expect([kind, Number.isFinite(d.maxBytes) && d.maxBytes < 8192]).toEqual([kind, true]);
  }
});
