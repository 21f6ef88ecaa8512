import { silentLogger, type LogFields } from '../../src/log/logger';
import { METRIC_NAMES, startMetrics } from '../../src/operator/metrics';
import { FakeExchange } from './support/fake-exchange';
import { FakeIo } from './support/fake-io';
import { ManualTimers } from './support/manual-timers';

it('publishes counts from status() and per-second event rates on each interval', () => {
  const io = new FakeIo();
  const ex = new FakeExchange();
  const timers = new ManualTimers();
  ex.addForeign('sell', 5_000_000, 1, { stale: true });
  ex.addForeign('buy', 4_000_000, 1);
  const m = startMetrics(io, ex, { intervalMs: 1000, log: silentLogger, timers });

  expect(io.gauge(METRIC_NAMES.bids)).toBe(1);
  expect(io.gauge(METRIC_NAMES.asks)).toBe(1);
  expect(io.gauge(METRIC_NAMES.stale)).toBe(1);
  expect(io.gauge(METRIC_NAMES.peers)).toBe(0);
  expect(io.gauge(METRIC_NAMES.eventsIn)).toBe(0);
  expect(io.gauges.get(METRIC_NAMES.eventsIn)!.unit).toBe('ev/s');

  ex.eventsIn = 30;
  ex.eventsOut = 5;
  timers.advance(1000);
  expect(io.gauge(METRIC_NAMES.eventsIn)).toBe(30);
  expect(io.gauge(METRIC_NAMES.eventsOut)).toBe(5);

  // A late tick divides by the time that really passed.
  ex.eventsIn = 60;
  m.sample();
  timers.advance(1000);
  expect(io.gauge(METRIC_NAMES.eventsIn)).toBe(0);

  m.close();
  expect(timers.pending).toBe(0);
});

it('shows the late-grant counters from status()', async () => {
  const io = new FakeIo();
  const ex = new FakeExchange();
  const timers = new ManualTimers();
  const m = startMetrics(io, ex, { intervalMs: 1000, log: silentLogger, timers });
  expect([io.gauge(METRIC_NAMES.lateUnknown), io.gauge(METRIC_NAMES.lateLanded), io.gauge(METRIC_NAMES.lateLapsed)]).toEqual([0, 0, 0]);

  const a = ex.addForeign('sell', 5_000_000, 10);
  ex.unansweredNext();
  const first = await ex.accept(a.id, 4);
  ex.unansweredNext();
  const second = await ex.accept(a.id, 6);
  ex.landLate(first.pending!.acceptId);
  ex.lapse(second.pending!.acceptId);
  timers.advance(1000);
  expect([io.gauge(METRIC_NAMES.lateUnknown), io.gauge(METRIC_NAMES.lateLanded), io.gauge(METRIC_NAMES.lateLapsed)]).toEqual([2, 1, 1]);
  m.close();
});

it('keeps going, warning once, when status() throws', () => {
  const io = new FakeIo();
  const ex = new FakeExchange();
  const timers = new ManualTimers();
  const warnings: Array<[string, LogFields | undefined]> = [];
  const log = { info() {}, warn: (e: string, f?: LogFields) => void warnings.push([e, f]) };
  ex.failNext('status', new Error('not ready'));
  const m = startMetrics(io, ex, { intervalMs: 1000, log, timers });
  expect(warnings).toEqual([['metrics.failed', { error: 'not ready' }]]);
  timers.advance(1000);
  expect(io.gauge(METRIC_NAMES.trades)).toBe(0);
  m.close();
});
