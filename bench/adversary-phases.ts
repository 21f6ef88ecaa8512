/**
 * One attack, measured: a fresh honest network, a warm-up, a baseline phase, then the
 * same honest trading while the attacker process runs the attack. Each phase yields
 * the honest accept round trips, the event-loop lag, and (for the attack) what the
 * victim refused and how much memory stayed behind.
 */
import { Attacker } from './adversary-attacker';
import { pause, seen, startHonest, type Honest } from './adversary-cluster';
import { HonestTrades, type Sample } from './adversary-honest';
import { DECOY_AMOUNT, DECOY_PRICE, HONEST_PRICE, LOT } from './adversary-market';
import { heapAfterGc, LoopLag, quantile, type Lag } from './adversary-probe';
import { silentScenario, type SilentFigures } from './adversary-silent-check';
import type { Counts } from './adversary-attack';

export interface PhaseFigures {
  samples: number;
  failed: number;
  p50: number;
  p99: number;
  lag: Lag;
}

export interface AttackResult {
  attack: string;
  base: PhaseFigures;
  during: PhaseFigures;
  /** Events the victim refused during the attack (over a budget, a check, ignored accepts). */
  refused: number;
  /** Heap growth over the attack phase, less the baseline phase's (honest trading's own). */
  heapGrowth: number;
  attacker: Counts;
  /** The victim's counters over the attack phase (and the takers' refusals: what the victim relayed). */
  victim: Counts;
  /** Gauges read at the end of the attack phase: links, book size, addresses. */
  gauges: Counts;
  failures: Record<string, number>;
  silent?: SilentFigures;
}

export interface PhaseOptions {
  phaseMs: number;
  warmupMs: number;
}

/** The victim must answer us again before we read its memory (bounded: a silent maker's takes stay open 15 s). */
const QUIET_WAIT_MS = 3_000;

export async function measureAttack(attack: string, opts: PhaseOptions, samplesOut: Sample[]): Promise<AttackResult> {
  const honest = await startHonest();
  const attacker = new Attacker(attack);
  try {
    const trades = new HonestTrades(honest);
    trades.start('warmup');
    await pause(opts.warmupMs);
    await trades.stop();
    const params = await targets(honest);
    await attacker.prepare(honest.maker.status().port, honest.maker.nodeId, params);

    const lag = new LoopLag();
    const heap0 = heapAfterGc();
    lag.start();
    trades.start('base');
    await pause(opts.phaseMs);
    await trades.stop();
    const lagBase = lag.stop();
    const heap1 = heapAfterGc();
    const before = victimCounts(honest);

    lag.start();
    trades.start('attack');
    attacker.go();
    const silent = attack === 'silent-maker' ? silentScenario(honest, attacker) : null;
    await pause(opts.phaseMs);
    const counts = await attacker.stop();
    await trades.stop();
    const lagAttack = lag.stop();
    const silentFigures = silent ? await silent : undefined;
    await Promise.race([Promise.all(honest.all.map((n) => n.quiescent())), pause(QUIET_WAIT_MS)]);
    const heap2 = heapAfterGc();
    const after = victimCounts(honest);

    samplesOut.push(...trades.samples.filter((s) => s.phase !== 'warmup').map((s) => ({ ...s, phase: `${attack}:${s.phase}` })));
    const during = trades.of('attack');
    const failures: Record<string, number> = {};
    for (const s of during) if (!s.ok) failures[s.reason ?? 'UNKNOWN'] = (failures[s.reason ?? 'UNKNOWN'] ?? 0) + 1;
    const delta: Counts = {};
    for (const k of Object.keys(after.counters)) delta[k] = after.counters[k] - (before.counters[k] ?? 0);
    return {
      attack,
      base: figures(trades.of('base'), lagBase),
      during: figures(during, lagAttack),
      refused: delta.refused + delta.acceptsIgnored,
      heapGrowth: heap2 - heap1 - (heap1 - heap0),
      attacker: counts,
      victim: delta,
      gauges: after.gauges,
      failures,
      silent: silentFigures,
    };
  } finally {
    attacker.kill();
    await honest.close();
  }
}

function figures(samples: Sample[], lag: Lag): PhaseFigures {
  const ms = samples.map((s) => s.ms);
  return { samples: samples.length, failed: samples.filter((s) => !s.ok).length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), lag };
}

/** The accept spam's targets: a large open ask of the maker, and one already filled. */
async function targets(honest: Honest): Promise<Record<string, string>> {
  const { maker, takers } = honest;
  const decoy = await maker.place({ side: 'sell', price: DECOY_PRICE, amount: DECOY_AMOUNT });
  const small = await maker.place({ side: 'sell', price: HONEST_PRICE, amount: LOT });
  const open = decoy.order!.id;
  const filled = small.order!.id;
  for (const id of [open, filled]) if (!(await seen(takers[0], id, 5_000))) throw new Error('setup: an order did not reach the taker');
  const r = await takers[0].accept(filled, LOT);
  if (r.filled !== LOT) throw new Error(`setup: the order to spam was not filled (${r.reason})`);
  return { openOrder: open, filledOrder: filled };
}

/** The victim's counters and gauges (and what the takers refused: the victim relays what it takes). */
function victimCounts(honest: Honest): { counters: Counts; gauges: Counts } {
  const { maker, takers } = honest;
  const s = maker.status();
  const n = maker.network.stats();
  const limits = s.limits!;
  const refusedByReason = Object.entries(limits.refused);
  const counters: Counts = {
    refused: refusedByReason.reduce((a, [, v]) => a + v, 0),
    acceptsIgnored: limits.acceptsIgnored,
    trades: s.trades,
    evicted: n.evicted,
    refusedFull: n.refusedFull,
    handshakePoolFull: n.handshakePoolFull,
    droppedByScore: n.droppedByScore,
    addrRelayDropped: n.addrRelayDropped,
  };
  for (const [k, v] of refusedByReason) counters[`refused_${k}`] = v;
  for (const t of takers) {
    for (const [k, v] of Object.entries(t.status().limits!.refused)) counters[`takersRefused_${k}`] = (counters[`takersRefused_${k}`] ?? 0) + v;
    counters.takersDroppedByScore = (counters.takersDroppedByScore ?? 0) + t.network.stats().droppedByScore;
  }
  const gauges: Counts = {
    bookOrders: s.orders.bids + s.orders.asks,
    peers: s.peers,
    outbound: n.outbound,
    addresses: n.addresses,
    honestLinksAtVictim: maker.peers().filter((p) => takers.some((t) => t.nodeId === p.nodeId)).length,
    takersLinked: takers[0].peers().some((p) => p.nodeId === takers[1].nodeId) ? 1 : 0,
  };
  return { counters, gauges };
}
