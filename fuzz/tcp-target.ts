/**
 * The target on real sockets: a real Exchange listening on 127.0.0.1 on the real clock,
 * attacked over loopback TCP as a daemon would be.
 */
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { realClock } from '../src/clock/real-clock';
import { SeededRandom } from '../src/clock/seeded-random';
import { Exchange, type ExchangeTuning } from '../src/exchange/exchange';
import { Identity } from '../src/identity/identity';
import { silentLogger, type Logger } from '../src/log/logger';
import type { NetOptions } from '../src/net/options';
import { MemoryEventStore } from '../src/store/memory-store';
import { tcpTransport } from '../src/transport/tcp';
import { DEFAULT_MAX_FRAME_BYTES } from '../src/wire/frame';
import { FindingLog, type HealthResult, loopbackOnly, placeOwnOrders, roundTrip, SEEN_WINDOW_MS, type Target, WEDGED_AFTER_REAL_MS, WedgedError } from './target';

export class TcpTarget implements Target {
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
    const honest = await Exchange.start(tcpNode(Identity.fromSeed(this.rng.bytes(32)), silentLogger, HONEST_TCP_TUNING));
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
