/**
 * The live node under attack, in one of two settings:
 * - `memory`: a real Exchange on the in-memory transport in virtual time (src/sim/world):
 *   no sockets, no waiting, and a run is the same twice for one seed;
 * - `tcp`: a real Exchange listening on 127.0.0.1 on the real clock, attacked over
 *   loopback sockets, as a daemon is.
 * Either way the node holds a few orders of its own, so accepts from the attacker make
 * it decide and publish confirms, and `health()` proves it still serves an honest peer.
 */
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { realClock } from '../src/clock/real-clock';
import { SeededRandom } from '../src/clock/seeded-random';
import { DEFAULT_TUNING, Exchange, type ExchangeTuning } from '../src/exchange/exchange';
import { Identity } from '../src/identity/identity';
import type { Logger, LogFields } from '../src/log/logger';
import type { NetOptions } from '../src/net/options';
import { isLoopback } from '../src/peer/address';
import { World, SIM_PORT, type SimNode } from '../src/sim/world';
import { MemoryEventStore } from '../src/store/memory-store';
import { tcpTransport } from '../src/transport/tcp';
import type { Transport } from '../src/transport/transport';
import { DEFAULT_MAX_FRAME_BYTES } from '../src/wire/frame';

export type Mode = 'memory' | 'tcp';

const BTC = 100_000_000;
/** The node's own resting orders: big, so a batch of takers rarely fills them all. */
const OWN_ORDERS = [
  { side: 'sell' as const, price: 5_000_000, amount: 21 * BTC },
  { side: 'sell' as const, price: 5_100_000, amount: 21 * BTC },
  { side: 'buy' as const, price: 4_000_000, amount: 21 * BTC },
  { side: 'buy' as const, price: 3_900_000, amount: 21 * BTC },
];
/** How long the attacker waits for the node to answer one case before calling the link wedged. */
export const WEDGED_AFTER_MS = 30_000;
/** The same on the real clock: loopback answers in well under a millisecond; 10 s is a stuck node. */
export const WEDGED_AFTER_REAL_MS = 10_000;

/**
 * Log lines that mean the node hit a bug of its own while handling a peer's bytes
 * (connection.ts, exchange.ts, net/node.ts, book-sync.ts): each is a finding.
 */
export const BUG_LINES = new Set(['peer.internal-error', 'exchange.internal-error', 'net.listener-error', 'sync.source-failed']);

/** Keeps the bug lines (bounded) and counts every warn line by name. */
export class FindingLog implements Logger {
  readonly bugs: Array<{ event: string; fields: LogFields }> = [];
  readonly warnCounts = new Map<string, number>();
  info(): void {}
  warn(event: string, fields: LogFields = {}): void {
    this.warnCounts.set(event, (this.warnCounts.get(event) ?? 0) + 1);
    if (BUG_LINES.has(event) && this.bugs.length < 1000) this.bugs.push({ event, fields });
  }
}

export class WedgedError extends Error {
  readonly code = 'WEDGED';
}

/** A transport that refuses to dial anything but loopback: a fuzzed `peers` list must never send this machine's traffic elsewhere. */
export function loopbackOnly(inner: Transport): Transport {
  return {
    listen: (h, p, on) => inner.listen(h, p, on),
    connect: (host, port, opts) => (isLoopback(host) ? inner.connect(host, port, opts) : Promise.reject(new Error(`fuzz harness: refusing to dial ${host}`))),
  };
}

export interface HealthResult {
  ok: boolean;
  detail: string;
}

export interface Target {
  readonly mode: Mode;
  readonly exchange: Exchange;
  readonly log: FindingLog;
  readonly maxFrameBytes: number;
  /** How far back and ahead of now the node takes an event's ts. */
  readonly window: { pastMs: number; aheadMs: number };
  now(): number;
  /** A fresh raw stream to the node (no handshake). */
  connect(): Promise<Duplex>;
  /** Waits for `p`; virtual time moves as needed. Rejects with WedgedError when it does not settle in time. */
  drive<T>(p: Promise<T>): Promise<T>;
  /** A fresh honest peer links up and a place/accept round trip with it completes. */
  health(): Promise<HealthResult>;
  close(): Promise<void>;
}

const SEEN_WINDOW_MS = 5 * 60_000;

export async function startTarget(mode: Mode, seed: string): Promise<Target> {
  return mode === 'memory' ? MemoryTarget.start(seed) : TcpTarget.start(seed);
}

async function placeOwnOrders(ex: Exchange, drive: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
  for (const o of OWN_ORDERS) await drive(ex.place(o));
}

/** The round trip: the honest node rests a small sell, the target takes part of it. */
async function roundTrip(target: Target, honest: Exchange, link: () => Promise<void>, known: (id: string) => Promise<void>): Promise<HealthResult> {
  const amount = BTC / 100;
  // Placed before linking: an empty book, so it rests whole, whatever the attacker left in the target's.
  const placed = await target.drive(honest.place({ side: 'sell', price: 4_900_000, amount }));
  if (placed.order === null) return { ok: false, detail: `honest order did not rest: ${JSON.stringify(placed)}` };
  await link();
  await known(placed.order.id);
  const took = await target.drive(target.exchange.accept(placed.order.id, amount / 2));
  if (took.filled !== amount / 2 || took.trade === null) return { ok: false, detail: `accept round trip failed: ${JSON.stringify(took)}` };
  return { ok: true, detail: `trade ${took.trade.id}` };
}

class MemoryTarget implements Target {
  readonly mode = 'memory';
  readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  readonly window: { pastMs: number; aheadMs: number };
  private constructor(
    private readonly world: World,
    private readonly node: SimNode,
    readonly log: FindingLog,
    tuning: ExchangeTuning,
  ) {
    this.window = { pastMs: SEEN_WINDOW_MS, aheadMs: tuning.clockBoundMs };
  }

  static async start(seed: string): Promise<MemoryTarget> {
    const log = new FindingLog();
    // Latency 0: a case costs timer turns, not virtual milliseconds.
    const world = new World({ seed: `target:${seed}`, link: { latencyMs: 0 }, log: (n) => (n.index === 0 ? log : { info() {}, warn() {} }) });
    const node = await world.addNode();
    const t = new MemoryTarget(world, node, log, DEFAULT_TUNING);
    await placeOwnOrders(node.ex, (p) => t.drive(p));
    return t;
  }

  get exchange(): Exchange {
    return this.node.ex;
  }

  now(): number {
    return this.world.clock.now();
  }

  connect(): Promise<Duplex> {
    // A loopback source address: the node never shuns loopback by IP, so one attacker
    // host can keep coming back under fresh keys (its keys are what gets shunned).
    return this.drive(this.world.network.transport('127.0.0.2').connect(this.node.host, SIM_PORT, { timeoutMs: 5000 }));
  }

  async drive<T>(p: Promise<T>): Promise<T> {
    try {
      return await this.world.until(p, WEDGED_AFTER_MS);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('still pending')) throw new WedgedError(err.message);
      throw err;
    }
  }

  async health(): Promise<HealthResult> {
    // Every attacker key falls silent for longer than the liveness bound: its orders are
    // stale, so they take no part in the honest round trip (they stay in the book).
    await this.world.run(this.window.aheadMs + 10_000 + 1000);
    const honest = await this.world.addNode({ net: { targetOutbound: 0 } });
    try {
      return await roundTrip(
        this,
        honest.ex,
        () => this.world.connect(honest, this.node),
        async () => {
          await this.world.settle();
        },
      );
    } finally {
      await this.world.stop(honest);
    }
  }

  async close(): Promise<void> {
    await this.world.close();
  }
}

class TcpTarget implements Target {
  readonly mode = 'tcp';
  readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  readonly window: { pastMs: number; aheadMs: number };

  private constructor(
    readonly exchange: Exchange,
    readonly log: FindingLog,
    private readonly rng: SeededRandom,
  ) {
    this.window = { pastMs: SEEN_WINDOW_MS, aheadMs: TCP_TUNING.clockBoundMs };
  }

  static async start(seed: string): Promise<TcpTarget> {
    const log = new FindingLog();
    const rng = new SeededRandom(`target:${seed}`);
    const ex = await Exchange.start(tcpNode(Identity.fromSeed(rng.bytes(32)), log, {}));
    const t = new TcpTarget(ex, log, rng);
    await placeOwnOrders(ex, (p) => t.drive(p));
    return t;
  }

  now(): number {
    return realClock.now();
  }

  connect(): Promise<Duplex> {
    return this.drive(
      new Promise<Duplex>((resolve, reject) => {
        // No Nagle on the attacker's side: a case is several small writes, each of which
        // would otherwise wait for the node's delayed ACK (40 ms on Linux loopback).
        const s = tcpConnect({ host: '127.0.0.1', port: this.exchange.status().port, noDelay: true });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }),
    );
  }

  drive<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WedgedError(`no answer within ${WEDGED_AFTER_REAL_MS} ms`)), WEDGED_AFTER_REAL_MS);
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  async health(): Promise<HealthResult> {
    // As in memory mode, but on the real clock: the attacker keys' orders go stale first.
    await new Promise((r) => setTimeout(r, this.window.aheadMs + HONEST_TCP_TUNING.staleAfterMs + 200));
    const honest = await Exchange.start(tcpNode(Identity.fromSeed(this.rng.bytes(32)), { info() {}, warn() {} }, HONEST_TCP_TUNING));
    try {
      return await roundTrip(
        this,
        honest,
        async () => {
          await this.drive(honest.connect('127.0.0.1', this.exchange.status().port));
        },
        (id) => this.drive(knownBy(this.exchange, id)),
      );
    } finally {
      await honest.close();
    }
  }

  async close(): Promise<void> {
    await this.exchange.close();
  }
}

/**
 * TCP nodes run with a 1 s clock bound (not 5 s) so that the health check, which waits
 * for the attacker's events to age past it, waits 1 s of real time, not 5.
 */
const TCP_TUNING = { clockBoundMs: 1000 };
/** The honest peer sees silent keys as stale after 0.5 s: the check's wait stays short. */
const HONEST_TCP_TUNING = { ...TCP_TUNING, staleAfterMs: 500, heartbeatMs: 100 };

function tcpNode(identity: Identity, log: Logger, tuning: Partial<ExchangeTuning>) {
  const net: Partial<NetOptions> = { targetOutbound: 0 };
  return {
    host: '127.0.0.1',
    port: 0,
    identity,
    store: new MemoryEventStore(realClock),
    clock: realClock,
    // Never dial out on its own (targetOutbound 0), and never anywhere but loopback.
    transport: loopbackOnly(tcpTransport(realClock)),
    net,
    log,
    tuning: { ...TCP_TUNING, ...tuning },
  };
}

/** Resolves once `ex` knows order `id` (its 'order' event). */
function knownBy(ex: Exchange, id: string): Promise<void> {
  if (ex.order(id)) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (o: { id: string }): void => {
      if (o.id !== id) return;
      ex.off('order', on);
      resolve();
    };
    ex.on('order', on);
  });
}
