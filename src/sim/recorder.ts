/**
 * Watches every node of a run: writes each trade and late grant into the trace as each
 * node records it, measures how long events take to reach each node, notes when orders
 * close (pruning a closed order is allowed only after retention), and collects the
 * warnings that mean a bug among honest nodes.
 *
 * Attached to each Exchange a node runs (a restart is a new Exchange), before it starts.
 */
import type { Exchange } from '../exchange/exchange';
import { KIND } from '../exchange/events';
import type { Logger, LogFields } from '../log/logger';
import type { NetStats } from '../net/node';
import { Histogram } from './histogram';
import type { Trace } from './trace';
import type { SimNode, World } from './world';

/**
 * Warnings honest nodes never give each other: our own bug (internal errors), or one
 * honest node calling another a misbehaving peer.
 */
const BUG_WARNINGS: ReadonlySet<string> = new Set([
  'exchange.internal-error',
  'peer.internal-error',
  'net.listener-error',
  'peer.misbehaved',
  'sync.source-failed',
  'order.crossing-failed',
]);

export class Recorder {
  /** Delivery delay (virtual ms from publish to being taken) per node reached: order events, heartbeats. */
  readonly orderDelay = new Histogram();
  readonly heartbeatDelay = new Histogram();
  /** Events delivered at least once, by kind. */
  readonly eventsByKind = new Map<string, number>();
  /** Warnings by event name (all of them, for the report). */
  readonly warnings = new Map<string, number>();
  /** Bug warnings, as lines for the violation list. */
  readonly bugs: string[] = [];
  /** First virtual time any node saw each order closed. */
  readonly closedAt = new Map<string, number>();
  /** Every Exchange ever started: their network counters add up to the run's. */
  private readonly instances: Exchange[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly offsetOf = new Map<string, number>();
  private readonly delivered = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly trace: Trace,
    /** Every log line of every node, when debugging a seed (not part of the trace). */
    private readonly sink: ((line: string) => void) | null = null,
  ) {}

  /** A short name for a node id in the trace: its index. */
  name(nodeId: string): number | string {
    return this.indexOf.get(nodeId) ?? nodeId.slice(0, 8);
  }

  /** The logger a node runs with: silent, except that warnings are counted and bugs kept. */
  logger(node: SimNode): Logger {
    const print = (level: string, event: string, fields?: LogFields): void => {
      if (!this.sink) return;
      const t = this.trace.time();
      this.sink?.(`${t} node ${node.index} ${level} ${event} ${JSON.stringify(fields ?? {}, (_k, v: unknown) => (typeof v === 'string' && v.length === 64 ? this.name(v) : v))}`);
    };
    return {
      info: (event: string, fields?: LogFields) => print('info', event, fields),
      warn: (event: string, fields?: LogFields) => {
        print('warn', event, fields);
        this.warnings.set(event, (this.warnings.get(event) ?? 0) + 1);
        if (BUG_WARNINGS.has(event)) {
          const line = `BUG_WARNING node ${node.index}: ${event} ${JSON.stringify(fields ?? {})}`;
          this.bugs.push(line);
          this.trace.add('warn', { n: node.index, event });
        }
      },
    };
  }

  /** Called by the world for every Exchange it starts, before it starts. */
  attach(node: SimNode, ex: Exchange): void {
    this.instances.push(ex);
    this.indexOf.set(node.nodeId, node.index);
    this.offsetOf.set(node.nodeId, node.opts.clockOffsetMs ?? 0);
    const n = node.index;
    ex.on('trade', (t) => {
      this.trace.add('trade', { n, id: t.id, order: t.orderId, maker: this.name(t.maker), taker: this.name(t.taker), side: t.side, amount: t.amount, price: t.price });
    });
    ex.on('late-fill', (f) => this.trace.add('late-fill', { n, accept: f.acceptId, order: f.orderId, amount: f.amount, booked: f.booked }));
    ex.on('order', (o) => {
      if (o.status !== 'open' && !this.closedAt.has(o.id)) this.closedAt.set(o.id, this.world.clock.now());
    });
    ex.network.on('event', (ev) => {
      // The origin stamped ts on its own clock face: back to the shared timeline.
      const publishedAt = ev.ts - (this.offsetOf.get(ev.origin) ?? 0);
      const delay = this.world.clock.now() - publishedAt;
      (ev.kind === KIND.heartbeat ? this.heartbeatDelay : this.orderDelay).add(delay);
      if (!this.delivered.has(ev.id)) {
        this.delivered.add(ev.id);
        this.eventsByKind.set(ev.kind, (this.eventsByKind.get(ev.kind) ?? 0) + 1);
      }
    });
  }

  /** Network counters summed over every Exchange of the run (restarted ones included). */
  totals(): Pick<NetStats, 'published' | 'eventsOut' | 'eventsIn' | 'eventsDuplicate' | 'syncEventsOut' | 'framesOut'> {
    const t = { published: 0, eventsOut: 0, eventsIn: 0, eventsDuplicate: 0, syncEventsOut: 0, framesOut: 0 };
    for (const ex of this.instances) {
      const s = ex.network.stats();
      t.published += s.published;
      t.eventsOut += s.eventsOut;
      t.eventsIn += s.eventsIn;
      t.eventsDuplicate += s.eventsDuplicate;
      t.syncEventsOut += s.syncEventsOut;
      t.framesOut += s.framesOut;
    }
    return t;
  }
}
