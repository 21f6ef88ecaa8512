/**
 * Live metrics for `pm2 monit` / `pm2 show`, sampled from `exchange.status()` on an
 * interval. The exchange reports events in/out as running totals; the per-second
 * rates are computed here from the difference between two samples, over the time
 * that really passed between them (an interval can fire late under load).
 */
import type { ExchangeApi, StatusView } from '../exchange/api';
import type { Logger } from '../log/logger';
import { realTimers, type Timers } from './timers';

/** What @pm2/io's `io.metric({name, unit})` returns: a gauge we set. */
export interface Gauge {
  set(value: number): void;
}

export interface MetricRegistry {
  metric(opts: { name: string; unit?: string }): Gauge;
}

export interface MetricsOptions {
  intervalMs: number;
  log: Logger;
  timers?: Timers;
}

export interface Metrics {
  /** Take one sample now (also what the interval does). */
  sample(): void;
  close(): void;
}

/** Metric names as `pm2 show` lists them. */
export const METRIC_NAMES = {
  peers: 'Peers',
  bids: 'Resting bids',
  asks: 'Resting asks',
  stale: 'Stale orders',
  mine: 'My orders',
  trades: 'Trades',
  eventsIn: 'Events in/s',
  eventsOut: 'Events out/s',
  /** Takes whose owner did not answer in time (status late.unknown): outcome unknown for a while. */
  lateUnknown: 'Takes unanswered',
  /** Late grants that arrived and were booked (late.landed). */
  lateLanded: 'Late grants',
  /** Unanswered takes whose hold ended with no grant (late.lapsed). */
  lateLapsed: 'Takes lapsed',
  /** Events refused since start, all reasons (status limits.refused). */
  refused: 'Events refused',
  /** Peers with a low score or banned now (status limits.penalised). */
  penalised: 'Peers penalised',
} as const;

type Key = keyof typeof METRIC_NAMES;

export function startMetrics(io: MetricRegistry, exchange: ExchangeApi, opts: MetricsOptions): Metrics {
  const timers = opts.timers ?? realTimers;
  const gauges = {} as Record<Key, Gauge>;
  for (const key of Object.keys(METRIC_NAMES) as Key[]) {
    const unit = key === 'eventsIn' || key === 'eventsOut' ? 'ev/s' : undefined;
    gauges[key] = io.metric(unit === undefined ? { name: METRIC_NAMES[key] } : { name: METRIC_NAMES[key], unit });
  }

  let last: { at: number; eventsIn: number; eventsOut: number } | undefined;
  let warned = false;

  const sample = (): void => {
    let s: StatusView;
    try {
      s = exchange.status();
    } catch (err) {
      // One warning, not one per second, if status() keeps failing.
      if (!warned) opts.log.warn('metrics.failed', { error: err instanceof Error ? err.message : String(err) });
      warned = true;
      return;
    }
    warned = false;
    const at = timers.now();
    gauges.peers.set(s.peers);
    gauges.bids.set(s.orders.bids);
    gauges.asks.set(s.orders.asks);
    gauges.stale.set(s.orders.stale);
    gauges.mine.set(s.orders.mine);
    gauges.trades.set(s.trades);
    if (s.late !== undefined) {
      gauges.lateUnknown.set(s.late.unknown);
      gauges.lateLanded.set(s.late.landed);
      gauges.lateLapsed.set(s.late.lapsed);
    }
    if (s.limits !== undefined) {
      gauges.refused.set(Object.values(s.limits.refused).reduce((a, b) => a + b, 0));
      gauges.penalised.set(s.limits.penalised.length);
    }
    if (last !== undefined && at > last.at) {
      const secs = (at - last.at) / 1000;
      gauges.eventsIn.set(rate(s.eventsIn - last.eventsIn, secs));
      gauges.eventsOut.set(rate(s.eventsOut - last.eventsOut, secs));
    } else {
      gauges.eventsIn.set(0);
      gauges.eventsOut.set(0);
    }
    last = { at, eventsIn: s.eventsIn, eventsOut: s.eventsOut };
  };

  sample();
  let handle: unknown = timers.setInterval(sample, opts.intervalMs);
  return {
    sample,
    close(): void {
      if (handle !== undefined) timers.clearInterval(handle);
      handle = undefined;
    },
  };
}

/** Two decimals is all `pm2 monit` has room for; a counter reset reads as 0, not negative. */
function rate(delta: number, secs: number): number {
  return delta <= 0 ? 0 : Math.round((delta / secs) * 100) / 100;
}
