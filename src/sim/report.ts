/**
 * The figures of one run: how much happened, what gossip cost, how fast events spread,
 * and how fast the simulation ran. Everything but the wall time comes from virtual time
 * and counters, so it is the same on every run of a seed.
 */
import type { OpCounts } from './operations';
import type { Recorder } from './recorder';

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Report {
  scenario: string;
  seed: string;
  nodes: number;
  /** Virtual ms of the whole run: forming, workload, healing and settling. */
  virtualMs: number;
  workloadMs: number;
  /** Virtual ms the quiet network ran on while owners' cooldowns kept a book crossed. */
  cooldownWaitMs: number;
  /** Signature checks answered from the simulator's memo (hits) and computed (misses); null when off. */
  verifyMemo: { hits: number; misses: number } | null;
  /** Wall ms the run took (not part of the trace). */
  wallMs: number;
  /** Simulated seconds per wall second. */
  simPerWall: number;
  ops: OpCounts;
  /** Events signed and sent (order events and heartbeats). */
  published: number;
  /** Events delivered at least once, by kind. */
  eventsByKind: Record<string, number>;
  /** Event frames sent (publishes and relays) per event published; the floor is nodes − 1. */
  framesPerEvent: number;
  minFramesPerEvent: number;
  /** Share of received event frames that were copies already seen. */
  duplicateShare: number;
  syncEventsSent: number;
  /** Delay from publish to delivery at each node reached, virtual ms. */
  orderEvents: Spread;
  heartbeats: Spread;
  trades: number;
  resting: number;
  /** Legs reported pending, and how many of them became trades. */
  pendingLegs: number;
  pendingLanded: number;
  warnings: Record<string, number>;
  traceLines: number;
  traceHash: string;
}

export function spread(h: { count: number; percentile(p: number): number; max: number }): Spread {
  return { count: h.count, p50: h.percentile(0.5), p99: h.percentile(0.99), max: h.max };
}

export function networkFigures(rec: Recorder, nodes: number): Pick<Report, 'published' | 'eventsByKind' | 'framesPerEvent' | 'minFramesPerEvent' | 'duplicateShare' | 'syncEventsSent' | 'orderEvents' | 'heartbeats' | 'warnings'> {
  const t = rec.totals();
  const received = t.eventsIn + t.eventsDuplicate;
  return {
    published: t.published,
    eventsByKind: Object.fromEntries([...rec.eventsByKind].sort(([a], [b]) => (a < b ? -1 : 1))),
    framesPerEvent: t.published === 0 ? 0 : t.eventsOut / t.published,
    minFramesPerEvent: nodes - 1,
    duplicateShare: received === 0 ? 0 : t.eventsDuplicate / received,
    syncEventsSent: t.syncEventsOut,
    orderEvents: spread(rec.orderDelay),
    heartbeats: spread(rec.heartbeatDelay),
    warnings: Object.fromEntries([...rec.warnings].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (x: number): string => x.toLocaleString('en-US');
const entries = (o: Record<string, number>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(', ') || 'none';

/** A few readable lines for the CLI. */
export function formatReport(r: Report): string {
  return [
    `scenario ${r.scenario}, seed ${r.seed}: ${r.nodes} nodes, ${fmt(r.virtualMs / 1000)} simulated s (${fmt(r.workloadMs / 1000)} of workload) in ${fmt(r.wallMs / 1000, 2)} wall s = ${fmt(r.simPerWall, 2)} simulated s per wall s`,
    ...(r.cooldownWaitMs > 0 ? [`  a book stayed crossed while owners cooled down: the quiet network ran ${fmt(r.cooldownWaitMs / 1000)} simulated s more`] : []),
    `  operations: ${entries(r.ops.issued)}; answered ${int(r.ops.acked)}, refused ${entries(r.ops.refused)}, no reply (node went down) ${int(r.ops.noReply)}, skipped ${int(r.ops.skipped)}`,
    `  events published ${int(r.published)} (${entries(r.eventsByKind)})`,
    `  event frames per event ${fmt(r.framesPerEvent)} (minimum ${r.minFramesPerEvent}); duplicates ${fmt(100 * r.duplicateShare)}% of frames received; sync events sent ${int(r.syncEventsSent)}`,
    `  propagation, order events: p50 ${r.orderEvents.p50} ms, p99 ${r.orderEvents.p99} ms, max ${r.orderEvents.max} ms (${int(r.orderEvents.count)} deliveries)`,
    `  propagation, heartbeats:   p50 ${r.heartbeats.p50} ms, p99 ${r.heartbeats.p99} ms, max ${r.heartbeats.max} ms (${int(r.heartbeats.count)} deliveries)`,
    `  trades ${int(r.trades)}, resting ${int(r.resting)}, pending legs ${int(r.pendingLegs)} (${int(r.pendingLanded)} became trades); warnings: ${entries(r.warnings)}`,
    `  signature checks: ${r.verifyMemo ? `${int(r.verifyMemo.misses)} computed, ${int(r.verifyMemo.hits)} remembered (simulator memo)` : 'all computed (memo off)'}`,
    `  trace ${int(r.traceLines)} lines, sha256 ${r.traceHash}`,
  ].join('\n');
}
