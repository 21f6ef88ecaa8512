/**
 * The pieces behind OUTCOME_UNKNOWN and the ref, on their own: taking the ref off a
 * param, noticing which change a request started, and what the reply says for each
 * kind of change cut short.
 */
import { cutChangeReply } from '../../src/operator/outcome';
import { splitRef } from '../../src/operator/ref';
import { ParamError } from '../../src/operator/reply';
import { trackExchange } from '../../src/operator/tracked-exchange';
import { FakeExchange, SELF } from './support/fake-exchange';

describe('splitRef', () => {
  it('takes the ref off a JSON string or an object, leaving the rest as an object', () => {
    expect(splitRef('{"id":"x","ref":"r1"}')).toEqual({ param: { id: 'x' }, ref: 'r1' });
    expect(splitRef({ ref: 'r2' })).toEqual({ param: {}, ref: 'r2' });
  });

  it('passes anything without a ref on exactly as it came', () => {
    for (const raw of ['{"id":"x"}', '127.0.0.1:3002', '"127.0.0.1:3002"', 'junk', '{broken', '[{"ref":"r"}]', 42, {}, undefined]) {
      expect(splitRef(raw)).toEqual({ param: raw, ref: undefined });
    }
    const huge = JSON.stringify({ ref: 'r', pad: 'x'.repeat(70_000) });
    expect(splitRef(huge)).toEqual({ param: huge, ref: undefined });
  });

  it('refuses an unusable ref with BAD_PARAM on field ref', () => {
    let err: unknown;
    try {
      splitRef('{"ref":["a"]}');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParamError);
    expect(err).toMatchObject({ code: 'BAD_PARAM', field: 'ref', message: '"ref" must be a string, got object' });
  });
});

describe('trackExchange', () => {
  it('records the last change started and passes everything through to the real exchange', async () => {
    const ex = new FakeExchange();
    const t = trackExchange(ex);
    expect(t.exchange.nodeId).toBe(SELF);
    expect(t.exchange.status().nodeId).toBe(SELF);
    expect(t.started()).toBeUndefined();
    await t.exchange.place({ side: 'buy', price: 100, amount: 5 });
    expect(t.started()).toEqual({ method: 'place', input: { side: 'buy', price: 100, amount: 5 } });
    await t.exchange.cancel('nope').catch(() => undefined);
    expect(t.started()).toEqual({ method: 'cancel', orderId: 'nope' });
    expect(ex.calls.map((c) => c.method)).toEqual(['place', 'cancel']);
  });
});

describe('cutChangeReply', () => {
  it('addOrder: the order it would be, and where it shows', () => {
    expect(cutChangeReply('addOrder', { method: 'place', input: { side: 'sell', price: 5_000_050, amount: 25_000_000 } }, 'SHUTTING_DOWN', 30_000)).toEqual({
      ok: false,
      error: {
        code: 'OUTCOME_UNKNOWN',
        cause: 'SHUTTING_DOWN',
        message:
          'addOrder: the node is shutting down before the change finished; it may still have been carried out: ' +
          'myOrders lists the order (sell at 50000.50) if it was placed; trades lists the fills it took',
      },
      pending: {
        side: 'sell',
        price: '50000.50',
        priceCents: 5_000_050,
        amount: '0.25000000',
        amountSats: 25_000_000,
        check: 'myOrders lists the order (sell at 50000.50) if it was placed; trades lists the fills it took',
      },
    });
  });

  it('cancelOrder and acceptOrder of all that remains', () => {
    expect(cutChangeReply('cancelOrder', { method: 'cancel', orderId: 'o1' }, 'TIMEOUT', 500)).toMatchObject({
      error: { code: 'OUTCOME_UNKNOWN', cause: 'TIMEOUT', message: expect.stringMatching(/^cancelOrder: no answer within 500 ms; /) },
      pending: { orderId: 'o1', check: 'myOrders shows order o1 as cancelled if the cancel went through' },
    });
    expect(cutChangeReply('acceptOrder', { method: 'accept', orderId: 'o2', amount: undefined }, 'TIMEOUT', 500).pending).toEqual({
      orderId: 'o2',
      check: 'trades lists a trade on order o2 if its owner granted it; orders shows what remains of it',
    });
  });
});
