import type { LogFields, Logger } from '../../src/log/logger';
import { ACTIONS, type ActionHandler } from '../../src/operator/actions';
import { registerActions, type RegisterOptions } from '../../src/operator/register';
import { FakeExchange } from './support/fake-exchange';
import { FakeIo } from './support/fake-io';
import { flushPromises, ManualTimers } from './support/manual-timers';

class RecordingLog implements Logger {
  readonly lines: Array<[string, string, LogFields | undefined]> = [];
  info(event: string, fields?: LogFields): void {
    this.lines.push(['info', event, fields]);
  }
  warn(event: string, fields?: LogFields): void {
    this.lines.push(['warn', event, fields]);
  }
}

let io: FakeIo;
let ex: FakeExchange;
let timers: ManualTimers;
let log: RecordingLog;

function setup(extra: Partial<RegisterOptions> = {}) {
  io = new FakeIo();
  ex = new FakeExchange();
  timers = new ManualTimers();
  log = new RecordingLog();
  return registerActions(io, ex, { replyDelayMs: 20, actionTimeoutMs: 1000, log, timers, ...extra });
}

/** Trigger, then run the promise chain and the clock until nothing is left to do. */
async function settle(ms: number): Promise<void> {
  await flushPromises();
  timers.advance(ms);
  await flushPromises();
}

it('registers every action with a handler of exactly two parameters', () => {
  setup();
  expect([...io.actions.keys()].sort()).toEqual(['acceptOrder', 'addOrder', 'cancelOrder', 'connect', 'myOrders', 'orders', 'peers', 'status', 'trades']);
  for (const handler of io.actions.values()) expect(handler.length).toBe(2);
});

it('defers a fast reply until replyDelayMs after the request, then replies once', async () => {
  setup();
  const replies = io.trigger('status');
  await settle(19);
  expect(replies).toEqual([]);
  await settle(1);
  expect(replies).toEqual([expect.objectContaining({ ok: true, nodeId: ex.nodeId })]);
  await settle(10_000);
  expect(replies).toHaveLength(1);
  expect(timers.pending).toBe(0);
});

it('does not add the delay again to an answer that was already slow', async () => {
  const slow: ActionHandler = () => new Promise((resolve) => timers.setTimeout(() => resolve({ ok: true }), 50));
  setup({ actions: { slow } });
  const replies = io.trigger('slow');
  await settle(50);
  // The answer came at 50 ms, past the 20 ms floor: it goes out on the next tick.
  await settle(0);
  expect(replies).toEqual([{ ok: true, action: 'slow' }]);
});

it('replies exactly once when the handler throws synchronously', async () => {
  const throws = (() => {
    throw new Error('sync boom');
  }) as unknown as ActionHandler;
  setup({ actions: { throws } });
  let replies: unknown[] = [];
  expect(() => (replies = io.trigger('throws'))).not.toThrow();
  await settle(1000);
  expect(replies).toEqual([{ ok: false, action: 'throws', error: { code: 'INTERNAL', message: 'internal error: sync boom' } }]);
});

it('replies exactly once when the exchange rejects', async () => {
  setup();
  ex.failNext('place', new Error('disk full'));
  const replies = io.trigger('addOrder', '{"side":"buy","price":1,"amount":1}');
  await settle(5000);
  expect(replies).toEqual([{ ok: false, action: 'addOrder', error: { code: 'INTERNAL', message: 'internal error: disk full' } }]);
  expect(log.lines).toContainEqual(['warn', 'action', expect.objectContaining({ action: 'addOrder', code: 'INTERNAL' })]);
});

it('replies with a param error for junk without touching the exchange', async () => {
  setup();
  const replies = io.trigger('addOrder', 'not json');
  await settle(20);
  expect(replies).toEqual([{ ok: false, action: 'addOrder', error: expect.objectContaining({ code: 'BAD_PARAM_JSON' }) }]);
  expect(ex.calls).toEqual([]);
});

it('answers OUTCOME_UNKNOWN when a change never settles, saying what to check, and only logs a late result', async () => {
  setup();
  ex.hangNext('accept');
  const replies = io.trigger('acceptOrder', '{"id":"x","amount":0.5,"ref":"t1"}');
  await settle(999);
  expect(replies).toEqual([]);
  await settle(1);
  expect(replies).toEqual([
    {
      ok: false,
      action: 'acceptOrder',
      ref: 't1',
      error: {
        code: 'OUTCOME_UNKNOWN',
        cause: 'TIMEOUT',
        message: expect.stringMatching(/^acceptOrder: no answer within 1000 ms; it may still have been carried out: trades lists a trade on order x/),
      },
      pending: { orderId: 'x', requested: '0.50000000', requestedSats: 50_000_000, check: expect.stringContaining('trades') },
    },
  ]);
  expect(log.lines).toContainEqual(['warn', 'action', expect.objectContaining({ action: 'acceptOrder', ref: 't1', code: 'OUTCOME_UNKNOWN', cause: 'TIMEOUT' })]);
  await settle(10_000);
  expect(replies).toHaveLength(1);
  expect(timers.pending).toBe(0);
});

it('answers TIMEOUT when an action that changes nothing never answers', async () => {
  const stuck: ActionHandler = () => new Promise(() => undefined);
  setup({ actions: { stuck } });
  const replies = io.trigger('stuck');
  await settle(1000);
  expect(replies).toEqual([{ ok: false, action: 'stuck', error: { code: 'TIMEOUT', message: 'stuck: no answer within 1000 ms' } }]);
});

it('logs a result that arrives after TIMEOUT instead of replying twice', async () => {
  let finish!: () => void;
  const late: ActionHandler = () => new Promise((resolve) => (finish = () => resolve({ ok: true })));
  setup({ actions: { late } });
  const replies = io.trigger('late');
  await settle(1000);
  finish();
  await settle(100);
  expect(replies).toHaveLength(1);
  expect(log.lines).toContainEqual(['warn', 'action.late', expect.objectContaining({ action: 'late', ok: true })]);
});

it("logs what a change cut short did when its result comes after all, under the caller's ref", async () => {
  setup();
  const ask = ex.addForeign('sell', 5_000_000, 10_000_000);
  let release!: () => void;
  const accept = ex.accept.bind(ex);
  ex.accept = async (id, amount) => {
    await new Promise<void>((resolve) => (release = resolve));
    return accept(id, amount);
  };
  const replies = io.trigger('acceptOrder', { id: ask.id, ref: 'slow-1' });
  await settle(1000);
  expect(replies).toEqual([expect.objectContaining({ ok: false, ref: 'slow-1', error: expect.objectContaining({ code: 'OUTCOME_UNKNOWN' }) })]);
  release();
  await settle(0);
  const tradeId = ex.trades()[0]!.id;
  expect(log.lines).toContainEqual(['warn', 'action.late', { action: 'acceptOrder', ref: 'slow-1', ok: true, trade: tradeId, filled: 10_000_000 }]);
  expect(replies).toHaveLength(1);
});

it('survives a reply function that throws', async () => {
  setup();
  const handler = io.actions.get('status')!;
  handler({}, () => {
    throw new Error('IPC closed');
  });
  await settle(20);
  expect(log.lines).toContainEqual(['warn', 'action.reply_failed', { action: 'status', error: 'IPC closed' }]);
});

it('keeps concurrent requests apart', async () => {
  setup();
  const a = io.trigger('addOrder', '{"side":"buy","price":1,"amount":1}');
  const b = io.trigger('addOrder', 'junk');
  await settle(20);
  expect(a).toEqual([expect.objectContaining({ ok: true })]);
  expect(b).toEqual([expect.objectContaining({ ok: false })]);
});

it('on close answers in-flight requests at once: OUTCOME_UNKNOWN for a change started, SHUTTING_DOWN for nothing done; refuses new ones', async () => {
  const stuck: ActionHandler = () => new Promise(() => undefined);
  const reg = setup({ actions: { ...ACTIONS, stuck } });
  ex.hangNext('connect');
  const hanging = io.trigger('connect', '{"address":"127.0.0.1:3002","ref":"c1"}');
  const reading = io.trigger('stuck', '{"ref":"s1"}');
  const deferred = io.trigger('status');
  await flushPromises();
  expect(reg.inFlight).toBe(3);
  reg.close();
  expect(hanging).toEqual([
    {
      ok: false,
      action: 'connect',
      ref: 'c1',
      error: { code: 'OUTCOME_UNKNOWN', cause: 'SHUTTING_DOWN', message: expect.stringContaining('connect: the node is shutting down before the change finished') },
      pending: { address: '127.0.0.1:3002', check: 'peers lists 127.0.0.1:3002 if the link came up' },
    },
  ]);
  expect(reading).toEqual([{ ok: false, action: 'stuck', ref: 's1', error: { code: 'SHUTTING_DOWN', message: 'stuck: the node is shutting down; nothing was done' } }]);
  expect(deferred).toEqual([expect.objectContaining({ ok: true, action: 'status' })]);
  expect(reg.inFlight).toBe(0);
  expect(timers.pending).toBe(0);

  const after = io.trigger('addOrder', '{"side":"buy","price":1,"amount":1}');
  await settle(20);
  expect(after).toEqual([{ ok: false, action: 'addOrder', error: expect.objectContaining({ code: 'SHUTTING_DOWN' }) }]);
  expect(ex.calls.map((c) => c.method)).toEqual(['connect']);
  expect(timers.pending).toBe(0);
});

it('logs one line per answered action, with the ref', async () => {
  setup();
  io.trigger('status');
  io.trigger('cancelOrder', '{"ref":"k9"}');
  await settle(20);
  expect(log.lines).toEqual([
    ['info', 'action', { action: 'status', ok: true, ms: 20 }],
    ['info', 'action', { action: 'cancelOrder', ref: 'k9', ok: false, code: 'BAD_PARAM', ms: 20 }],
  ]);
});

describe('every reply names its action and echoes the ref', () => {
  it.each([
    ['addOrder', '{"side":"buy","price":50000,"amount":1,"ref":"a-1"}', 'a-1'],
    ['addOrder', { side: 'buy', price: 50000, amount: 1, ref: 'obj-2' }, 'obj-2'],
    ['orders', '{"ref":"o-3"}', 'o-3'],
    ['status', { ref: 's-4' }, 's-4'],
    ['connect', '{"host":"127.0.0.1","port":3002,"ref":"c-5"}', 'c-5'],
    ['cancelOrder', '{"id":"nope","ref":"x-6"}', 'x-6'],
  ] as const)('%s %j', async (action, param, ref) => {
    setup();
    ex.reachable.set('127.0.0.1:3002', 'fe98dc76'.repeat(8));
    const replies = io.trigger(action, param);
    await settle(20);
    expect(replies).toHaveLength(1);
    const r = replies[0] as Record<string, unknown>;
    expect(Object.keys(r).slice(0, 3)).toEqual(['ok', 'action', 'ref']);
    expect(r).toMatchObject({ action, ref });
  });

  it('without a ref the reply has none, and still names the action', async () => {
    setup();
    const replies = io.trigger('peers');
    await settle(20);
    expect(replies).toEqual([{ ok: true, action: 'peers', peers: [] }]);
  });

  it('a param that is not JSON still gets a reply naming the action', async () => {
    setup();
    const replies = io.trigger('addOrder', '{ref:1');
    await settle(20);
    expect(replies).toEqual([{ ok: false, action: 'addOrder', error: expect.objectContaining({ code: 'BAD_PARAM_JSON' }) }]);
  });

  it.each([
    ['a number', '{"ref":42,"side":"buy","price":1,"amount":1}', '"ref" must be a string, got number'],
    ['null', '{"ref":null}', '"ref" must be a string, got null'],
    ['an object', { ref: { id: 1 } }, '"ref" must be a string, got object'],
    ['empty', '{"ref":""}', '"ref" must be 1-64 characters'],
    ['too long', JSON.stringify({ ref: 'r'.repeat(65) }), '"ref" must be 1-64 characters'],
    ['with a space', '{"ref":"my job"}', '"ref" must be printable ASCII without spaces'],
    ['with a newline', '{"ref":"a\\nb"}', '"ref" must be printable ASCII without spaces'],
  ] as const)('refuses a ref that is %s, touching nothing', async (_what, param, message) => {
    setup();
    const replies = io.trigger('addOrder', param);
    await settle(20);
    expect(replies).toEqual([{ ok: false, action: 'addOrder', error: { code: 'BAD_PARAM', field: 'ref', message } }]);
    expect(ex.calls).toEqual([]);
  });
});
