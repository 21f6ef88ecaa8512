/**
 * The target in virtual time: a real Exchange on the in-memory transport of a World
 * (src/sim/world.ts). No sockets and no waiting: time moves only as far as each case
 * needs, and a run is the same twice for one seed.
 */
import { DEFAULT_TUNING, type Exchange, type ExchangeTuning } from '../src/exchange/exchange';
import { silentLogger } from '../src/log/logger';
import { SIM_PORT, type SimNode, World } from '../src/sim/world';
import type { Duplex } from 'node:stream';
import { DEFAULT_MAX_FRAME_BYTES } from '../src/wire/frame';
import { FindingLog, type HealthResult, placeOwnOrders, roundTrip, SEEN_WINDOW_MS, type Target, WEDGED_AFTER_MS, WedgedError } from './target';

export class MemoryTarget implements Target {
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
    const world = new World({ seed: `target:${seed}`, link: { latencyMs: 0 }, log: (n) => (n.index === 0 ? log : silentLogger) });
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
