/**
 * The owner's answer bounds (issue 11): every answer is a signed, durable, gossiped
 * event, so an owner answers at most MAX_ANSWERS_PER_TAKER accepts of one order from one
 * taker a minute, and at most ANSWER_RATE answers in all — fresh taker keys are free.
 * The desk is driven directly with a virtual clock: `publish` records what the owner
 * would send, as the pipeline would (the accept counts as answered).
 */
import { ManualClock } from '../../src/clock/manual-clock';
import { KIND } from '../../src/exchange/events';
import type { EventMeta, OrderRecord } from '../../src/exchange/order-ledger';
import { ANSWER_RATE, ANSWER_WINDOW_MS, MAX_ANSWERS_PER_TAKER, OwnerDesk } from '../../src/exchange/owner-desk';
import type { ExchangeState } from '../../src/exchange/state';
import { silentLogger } from '../../src/log/logger';

const BTC = 100_000_000;

function setup() {
  const clock = new ManualClock({ start: 1_700_000_000_000 });
  const order = {
    id: 'order-1',
    owner: 'owner-key',
    side: 'sell',
    price: 5_000_000,
    amount: 1_000 * BTC,
    filled: 0,
    status: 'open',
    seq: 0,
    add: { body: new Uint8Array(1), sig: new Uint8Array(1) },
    answered: new Set<string>(),
  } as unknown as OrderRecord;
  const st = { clock, reservations: { takingFor: () => 0 } } as unknown as ExchangeState;
  const published: Array<{ kind: string; data: Record<string, unknown> }> = [];
  const desk = new OwnerDesk({
    st,
    log: silentLogger,
    clockBoundMs: 5_000,
    publish: (kind, data) => {
      published.push({ kind, data });
      order.answered.add(data.accept as string);
      return { id: `ev-${published.length}`, origin: order.owner, ts: clock.now(), raw: order.add };
    },
  });
  let n = 0;
  const accept = (taker: string, amount = BTC): void => {
    n++;
    const meta: EventMeta = { id: `accept-${n}`, origin: taker, ts: clock.now(), raw: { body: new Uint8Array(1), sig: new Uint8Array(1) } };
    desk.answer(order, meta, { order: order.id, amount, deadline: clock.now() + 5_000 });
  };
  return { clock, desk, accept, published };
}

test(`one taker: ${MAX_ANSWERS_PER_TAKER} answers of one order per ${ANSWER_WINDOW_MS / 1000} s, then none until the window ends`, async () => {
  const { clock, desk, accept, published } = setup();
  for (let i = 0; i < 20; i++) accept('taker-a');
  expect(published).toHaveLength(MAX_ANSWERS_PER_TAKER);
  expect(published.every((p) => p.kind === KIND.confirm && p.data.taker === 'taker-a')).toBe(true);
  expect(desk.ignored).toBe(20 - MAX_ANSWERS_PER_TAKER);
  // Another taker is not held back by the first one's allowance.
  accept('taker-b');
  expect(published).toHaveLength(MAX_ANSWERS_PER_TAKER + 1);
  await clock.advance(ANSWER_WINDOW_MS);
  accept('taker-a');
  expect(published).toHaveLength(MAX_ANSWERS_PER_TAKER + 2);
});

test(`fresh takers: a burst of ${ANSWER_RATE.burst} answers, then ${ANSWER_RATE.tokens} a second`, async () => {
  const { clock, desk, accept, published } = setup();
  for (let i = 0; i < 3 * ANSWER_RATE.burst; i++) accept(`fresh-${i}`);
  expect(published).toHaveLength(ANSWER_RATE.burst);
  expect(desk.ignored).toBe(2 * ANSWER_RATE.burst);
  // Ten seconds of fresh keys at 100 a second: the rate, not the demand, is what is answered.
  for (let s = 0; s < 10; s++) {
    for (let i = 0; i < 10; i++) {
      await clock.advance(100);
      for (let k = 0; k < 10; k++) accept(`fresh-${s}-${i}-${k}`);
    }
  }
  expect(published).toHaveLength(ANSWER_RATE.burst + 10 * ANSWER_RATE.tokens);
});

test('an honest maker with two takers at 8 accepts a second each is answered every time', async () => {
  const { clock, desk, accept, published } = setup();
  // 60 s of two takers, each taking five times an order (their allowance) then moving on:
  // modelled here as a new taker key every five takes, which the per-taker bound allows.
  let asked = 0;
  for (let t = 0; t < 60_000; t += 125) {
    await clock.advance(125);
    for (const who of ['a', 'b']) {
      accept(`${who}-${Math.floor(t / 625)}`);
      asked++;
    }
  }
  expect(desk.ignored).toBe(0);
  expect(published).toHaveLength(asked);
});
