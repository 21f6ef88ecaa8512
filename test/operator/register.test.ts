import type { LogFields, Logger } from '../../src/log/logger';
import type { ActionHandler } from '../../src/operator/actions';
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
  expect(replies).toEqual([{ ok: true }]);
});

it('replies exactly once when the handler throws synchronously', async () => {
  const throws = (() => {
    throw new Error('sync boom');
  }) as unknown as ActionHandler;
  setup({ actions: { throws } });
  let replies: unknown[] = [];
  expect(() => (replies = io.trigger('throws'))).not.toThrow();
  await settle(1000);
  expect(replies).toEqual([{ ok: false, error: { code: 'INTERNAL', message: 'internal error: sync boom' } }]);
});

it('replies exactly once when the exchange rejects', async () => {
  setup();
  ex.failNext('place', new Error('disk full'));
  const replies = io.trigger('addOrder', '{"side":"buy","price":1,"amount":1}');
  await settle(5000);
  expect(replies).toEqual([{ ok: false, error: { code: 'INTERNAL', message: 'internal error: disk full' } }]);
  expect(log.lines).toContainEqual(['warn', 'action', expect.objectContaining({ action: 'addOrder', code: 'INTERNAL' })]);
});

it('replies with a param error for junk without touching the exchange', async () => {
  setup();
  const replies = io.trigger('addOrder', 'not json');
  await settle(20);
  expect(replies).toEqual([{ ok: false, error: expect.objectContaining({ code: 'BAD_PARAM_JSON' }) }]);
  expect(ex.calls).toEqual([]);
});

it('answers TIMEOUT when the exchange never settles, and only logs a late result', async () => {
  setup();
  ex.hangNext('accept');
  const replies = io.trigger('acceptOrder', '{"id":"x"}');
  await settle(999);
  expect(replies).toEqual([]);
  await settle(1);
  expect(replies).toEqual([{ ok: false, error: expect.objectContaining({ code: 'TIMEOUT' }) }]);
  await settle(10_000);
  expect(replies).toHaveLength(1);
  expect(timers.pending).toBe(0);
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

it('on close answers in-flight requests SHUTTING_DOWN at once and refuses new ones', async () => {
  const reg = setup();
  ex.hangNext('connect');
  const hanging = io.trigger('connect', '127.0.0.1:3002');
  const deferred = io.trigger('status');
  await flushPromises();
  expect(reg.inFlight).toBe(2);
  reg.close();
  expect(hanging).toEqual([{ ok: false, error: expect.objectContaining({ code: 'SHUTTING_DOWN' }) }]);
  expect(deferred).toEqual([expect.objectContaining({ ok: true })]);
  expect(reg.inFlight).toBe(0);
  expect(timers.pending).toBe(0);

  const after = io.trigger('status');
  await settle(20);
  expect(after).toEqual([{ ok: false, error: expect.objectContaining({ code: 'SHUTTING_DOWN' }) }]);
  expect(timers.pending).toBe(0);
});

it('logs one line per answered action', async () => {
  setup();
  io.trigger('status');
  io.trigger('cancelOrder', '{}');
  await settle(20);
  expect(log.lines).toEqual([
    ['info', 'action', { action: 'status', ok: true, ms: 20 }],
    ['info', 'action', { action: 'cancelOrder', ok: false, code: 'BAD_PARAM', ms: 20 }],
  ]);
});
