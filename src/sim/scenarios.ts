/**
 * What a simulated run does: how many nodes, for how long, how busy, which faults and
 * how often. Two are named by the issue: `chaos` (8–16 nodes, every kind of fault,
 * short) and `scale` (200 nodes, 10 simulated minutes of steady trading with churn and
 * one partition that heals). `smoke` is a small, quick chaos for the test suite.
 */
import type { ExchangeTuning } from '../exchange/exchange';
import type { NetOptions } from '../net/options';
import type { LinkProfile } from '../transport/memory';

/** What the workload can do; each operation is drawn with its weight. */
export type OpKind = 'place' | 'accept' | 'cancel' | 'drop' | 'connect' | 'kill' | 'stop' | 'partition';

export interface Range {
  min: number;
  max: number;
}

export interface Scenario {
  name: string;
  /** Nodes in the run, drawn per seed in [min, max]. */
  nodes: Range;
  /** Each new node dials this many earlier nodes (peer exchange finds the rest). */
  bootstrapPeers: number;
  /** Virtual ms of workload once the network has formed. */
  durationMs: number;
  /** Mean operations per virtual second, network-wide (gaps are exponential). */
  opsPerSec: number;
  /** Relative weight of each operation kind. */
  mix: Record<OpKind, number>;
  /** Links: one-way latency drawn per node in this range; jitter and loss for every link. */
  latencyMs: Range;
  link: Partial<LinkProfile>;
  /** Share of nodes given a slow, lossy link (a phone on a train). */
  slowShare: number;
  slowLink: Partial<LinkProfile>;
  /** Each node's wall clock is off by up to ± this (ms); must stay within the clock bound / 2. */
  clockOffsetMs: number;
  /** At most this share of nodes is down at once (killed or stopped). */
  maxDownShare: number;
  /** How long a killed or stopped node stays down. */
  downMs: Range;
  /** How long a drawn partition lasts before it heals. */
  partitionMs: Range;
  /** A partition at a fixed time, besides any drawn ones (the scale run's one partition). */
  fixedPartition?: { atMs: number; forMs: number };
  /** Market: prices are mid ± up to `ticks` ticks; amounts 1..`lots` lots. */
  market: { midCents: number; tickCents: number; ticks: number; lotSats: number; lots: number };
  tuning?: Partial<ExchangeTuning>;
  net?: Partial<NetOptions>;
}

const BTC = 100_000_000;

/** The chaos test's market: 50,000 USD ± 10 ticks of 10 USD, 0.1–1 BTC. */
const MARKET = { midCents: 5_000_000, tickCents: 1_000, ticks: 10, lotSats: BTC / 10, lots: 10 };

export const CHAOS: Scenario = {
  name: 'chaos',
  nodes: { min: 8, max: 16 },
  bootstrapPeers: 2,
  durationMs: 60_000,
  opsPerSec: 5,
  mix: { place: 40, accept: 25, cancel: 12, drop: 8, connect: 6, kill: 3, stop: 2, partition: 4 },
  latencyMs: { min: 2, max: 40 },
  link: { jitterMs: 10, loss: 0.01, retransmitMs: 200 },
  slowShare: 0.15,
  slowLink: { latencyMs: 150, jitterMs: 100, loss: 0.05, bytesPerMs: 100 },
  clockOffsetMs: 2_000,
  maxDownShare: 0.25,
  downMs: { min: 2_000, max: 30_000 },
  partitionMs: { min: 1_000, max: 40_000 },
  market: MARKET,
};

/** A quick chaos for `npm test`: fewer nodes, a shorter run, the same faults. */
export const SMOKE: Scenario = {
  ...CHAOS,
  name: 'smoke',
  nodes: { min: 5, max: 8 },
  durationMs: 40_000,
};

export const SCALE: Scenario = {
  name: 'scale',
  nodes: { min: 200, max: 200 },
  bootstrapPeers: 3,
  durationMs: 10 * 60_000,
  opsPerSec: 5,
  // Churn: links dropped and made, nodes killed and restarted; the one partition is fixed.
  mix: { place: 45, accept: 27, cancel: 15, drop: 5, connect: 3, kill: 3, stop: 2, partition: 0 },
  latencyMs: { min: 5, max: 80 },
  link: { jitterMs: 10, loss: 0.005, retransmitMs: 200 },
  slowShare: 0.05,
  slowLink: { latencyMs: 150, jitterMs: 100, loss: 0.02 },
  clockOffsetMs: 2_000,
  maxDownShare: 0.05,
  downMs: { min: 5_000, max: 60_000 },
  partitionMs: { min: 0, max: 0 },
  // Well inside the seen window (5 min): events from either side are still relayed after the heal.
  fixedPartition: { atMs: 4 * 60_000, forMs: 60_000 },
  market: MARKET,
  // The one tuning changed from the daemon's defaults (2 s, 10 s), keeping their 1:5
  // ratio: with 200 nodes every node's heartbeat is flooded as ~3,000 frames, so the
  // default makes 300,000 frames per simulated second — about 15 CPU-seconds each on
  // this machine, 2.5 CPU-hours for the 10 minutes (docs/BENCHMARKS.md, "Simulator").
  tuning: { heartbeatMs: 10_000, staleAfterMs: 50_000 },
};

export const SCENARIOS: Record<string, Scenario> = { chaos: CHAOS, smoke: SMOKE, scale: SCALE };
