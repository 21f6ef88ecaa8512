/**
 * A whole network in one process: real Exchange nodes on the in-memory transport, one
 * virtual clock, stores in memory. Nothing here is a mock of the exchange: each node runs
 * the daemon's own code; only time, the wire and the disk are simulated. The same seed
 * and the same calls give the same run, byte for byte.
 *
 * Used by the simulator (src/sim/) and by tests that need time to pass (deadlines, late
 * grants, partitions) without waiting for it.
 */
import { ManualClock } from '../clock/manual-clock';
import type { Clock } from '../clock/clock';
import { KIND } from '../exchange/events';
import { Exchange, type ExchangeTuning } from '../exchange/exchange';
import { Identity } from '../identity/identity';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { NetOptions } from '../net/options';
import { MemoryEventStore } from '../store/memory-store';
import { DEFAULT_LINK, MemoryNetwork, type LinkProfile } from '../transport/memory';

/** Every node listens on this port of its own address. */
export const SIM_PORT = 3000;

export interface WorldOptions {
  seed: string | number;
  /** Default link properties (latency, jitter, loss, bandwidth). */
  link?: Partial<LinkProfile>;
  tuning?: Partial<ExchangeTuning>;
  net?: Partial<NetOptions>;
  /** A logger per node (default: silent). */
  log?: (node: SimNode) => Logger;
  /** Virtual start time (ms since the epoch). */
  start?: number;
  /** Called with every Exchange the world starts (restarts too), before it starts: observers attach here. */
  onStart?: (node: SimNode, ex: Exchange) => void;
}

export interface NodeOptions {
  /** This node's wall clock is off by this much (ms); keep it within the clock bound. */
  clockOffsetMs?: number;
  /** Addresses dialled at start. */
  peers?: SimNode[];
  tuning?: Partial<ExchangeTuning>;
  net?: Partial<NetOptions>;
}

/** One simulated machine: an address, a key, a disk; the Exchange on it while it runs. */
export class SimNode {
  exchange: Exchange | null = null;
  /** Times it was started (restarts included). */
  starts = 0;
  /** Order events (not heartbeats) taken from peers, gossip or sync, over all its starts. */
  orderEventsIn = 0;

  constructor(
    readonly index: number,
    readonly host: string,
    readonly identity: Identity,
    public store: MemoryEventStore,
    readonly clock: Clock,
    readonly opts: NodeOptions,
  ) {}

  get nodeId(): string {
    return this.identity.nodeId;
  }

  get up(): boolean {
    return this.exchange !== null;
  }

  /** The running exchange; throws if the node is down. */
  get ex(): Exchange {
    if (!this.exchange) throw new Error(`node ${this.index} is down`);
    return this.exchange;
  }
}

export class World {
  readonly clock: ManualClock;
  readonly network: MemoryNetwork;
  readonly nodes: SimNode[] = [];

  constructor(readonly opts: WorldOptions) {
    this.clock = new ManualClock({ seed: opts.seed, start: opts.start });
    this.network = new MemoryNetwork(this.clock, { ...DEFAULT_LINK, ...opts.link });
  }

  /** The address of the `i`-th node added (10.x.y.z): known before it exists, e.g. to shape its links. */
  static hostOf(i: number): string {
    return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`;
  }

  /** Adds a machine (see hostOf) and starts its node. */
  async addNode(opts: NodeOptions = {}): Promise<SimNode> {
    const i = this.nodes.length;
    const host = World.hostOf(i);
    const identity = Identity.fromSeed(this.clock.rng.fork(`key:${i}`).bytes(32));
    const clock = this.clock.view(opts.clockOffsetMs ?? 0, `node:${i}`);
    const node = new SimNode(i, host, identity, new MemoryEventStore(clock), clock, opts);
    this.nodes.push(node);
    await this.boot(node);
    return node;
  }

  /** Starts a stopped node on its own disk (what survived), with its own key. */
  async boot(node: SimNode): Promise<Exchange> {
    if (node.exchange) return node.exchange;
    const ex = Exchange.create({
      host: node.host,
      port: SIM_PORT,
      identity: node.identity,
      store: node.store,
      clock: node.clock,
      transport: this.network.transport(node.host),
      peers: (node.opts.peers ?? []).map((p) => ({ host: p.host, port: SIM_PORT })),
      log: this.opts.log?.(node) ?? silentLogger,
      tuning: { ...this.opts.tuning, ...node.opts.tuning },
      net: { ...this.opts.net, ...node.opts.net },
    });
    node.exchange = ex;
    node.starts++;
    const count = (ev: { kind: string }): void => {
      if (ev.kind !== KIND.heartbeat) node.orderEventsIn++;
    };
    ex.network.on('event', count);
    ex.network.on('sync-event', count);
    this.opts.onStart?.(node, ex);
    await this.until(ex.start());
    return ex;
  }

  /** A clean stop (goodbyes sent, store flushed). */
  async stop(node: SimNode): Promise<void> {
    const ex = node.exchange;
    if (!ex) return;
    node.exchange = null;
    await this.until(ex.close());
  }

  /** A kill -9: links drop without a word, writes not yet committed are lost. */
  async kill(node: SimNode): Promise<void> {
    const ex = node.exchange;
    if (!ex) return;
    node.exchange = null;
    node.store = node.store.crash();
    await this.until(ex.network.close({ abrupt: true }));
    await ex.close();
  }

  /** `a` dials `b`; resolves once linked (or rejects with the refusal). */
  async connect(a: SimNode, b: SimNode): Promise<void> {
    await this.until(a.ex.connect(b.host, SIM_PORT));
  }

  /** Lets `ms` of virtual time pass. */
  async run(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /**
   * Drives virtual time until `p` settles (timer by timer). Rejects if `p` is still
   * pending after `maxMs` of virtual time — a deadlock in a test, not a hang.
   */
  async until<T>(p: Promise<T>, maxMs = 10 * 60_000): Promise<T> {
    let done = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    p.then(
      (v) => {
        done = true;
        value = v;
      },
      (e) => {
        done = true;
        failed = true;
        error = e;
      },
    );
    const deadline = this.clock.now() + maxMs;
    await this.clock.runUntil(this.clock.now());
    while (!done) {
      const next = this.clock.nextAt();
      if (next === null || next > deadline) throw new Error(`still pending after ${maxMs} ms of virtual time`);
      await this.clock.runUntil(next);
    }
    if (failed) throw error;
    return value as T;
  }

  /** Running nodes. */
  get running(): SimNode[] {
    return this.nodes.filter((n) => n.up);
  }

  /**
   * Resolves once the network is quiet: every running node has nothing in flight and
   * has seen every frame it sent handled, and a full such round changed no node's
   * event counters.
   */
  async settle(maxRounds = 500): Promise<void> {
    let last = '';
    for (let round = 0; round < maxRounds; round++) {
      await this.until(Promise.all(this.running.map((n) => n.ex.quiescent())));
      // A dial or handshake in flight is work too: let it finish (or fail).
      if (this.running.some((n) => n.ex.network.stats().connecting > 0)) {
        const next = this.clock.nextAt();
        if (next !== null) await this.clock.runUntil(next);
        last = '';
        continue;
      }
      const now = this.traffic();
      if (now === last) return;
      last = now;
    }
    throw new Error('network did not settle');
  }

  /**
   * What the running nodes have done to the book: order events kept (the store holds
   * every one applied, ours included — our own are stored before they are sent) and
   * taken, syncs, links. Heartbeats and pings are left out: in virtual time a round of
   * quiescence across slow links spans seconds, and some node's heartbeat falls in
   * nearly every one, so counting them would never let a busy network look quiet.
   */
  traffic(): string {
    return this.running
      .map((n) => {
        const s = n.ex.network.stats();
        return [n.store.size, n.orderEventsIn, s.syncEventsIn, s.syncEventsOut, s.peers].join('.');
      })
      .join(',');
  }

  /**
   * Stops every node (cleanly), all at once. One by one, each stop would have its peers
   * dial new links among the rest and sync whole books over them: at 200 nodes that
   * took longer than the rest of the run's quiet phase.
   */
  async close(): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const n of this.nodes) {
      if (!n.exchange) continue;
      closing.push(n.exchange.close());
      n.exchange = null;
    }
    await this.until(Promise.all(closing));
  }
}
