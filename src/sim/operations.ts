/**
 * Carries out the workload's operations on the world and writes what happened into
 * the trace: the operation when issued, its result when it comes. Orders, takes and
 * cancels run concurrently (their promises resolve as virtual time passes); faults
 * (kills, stops, partitions) are done at once and undone later by the run.
 *
 * A reply is acknowledged only if its node is still the one that was asked (not killed
 * meanwhile): that is what the invariants then hold the network to. A rejection that
 * is not an ExchangeError, or a result that does not add up, is a violation at once.
 */
import { ExchangeError, type AcceptResult, type OrderView, type PlaceResult } from '../exchange/api';
import type { Exchange } from '../exchange/exchange';
import type { Acknowledged } from './acknowledged';
import type { Violation } from './invariants';
import type { Recorder } from './recorder';
import type { Trace } from './trace';
import type { Op } from './workload';
import { SIM_PORT, type SimNode, type World } from './world';

export interface OpCounts {
  issued: Record<string, number>;
  acked: number;
  refused: Record<string, number>;
  /** Replies lost because the node was killed or stopped before answering. */
  noReply: number;
  /** Drawn operations with no sensible target at the time. */
  skipped: number;
}

export class Operations {
  readonly counts: OpCounts = { issued: {}, acked: 0, refused: {}, noReply: 0, skipped: 0 };
  /** Operations issued and not answered yet. */
  inflight = 0;
  private seq = 0;

  constructor(
    private readonly world: World,
    private readonly trace: Trace,
    private readonly acks: Acknowledged,
    private readonly rec: Recorder,
    private readonly violations: Violation[],
  ) {}

  skipped(): void {
    this.counts.skipped++;
  }

  /** Counts a fault the run carried out itself (kill, stop, partition). */
  fault(kind: string): void {
    this.counts.issued[kind] = (this.counts.issued[kind] ?? 0) + 1;
  }

  /** Issues an order, take, cancel, link drop or dial; faults are the run's (see run.ts). */
  issue(op: Exclude<Op, { kind: 'kill' | 'stop' | 'partition' }>): void {
    this.counts.issued[op.kind] = (this.counts.issued[op.kind] ?? 0) + 1;
    const k = ++this.seq;
    const n = op.node.index;
    const ex = op.node.ex;
    switch (op.kind) {
      case 'place':
        this.trace.add('place', { k, n, side: op.side, price: op.price, amount: op.amount });
        this.track(k, op.node, ex, ex.place({ side: op.side, price: op.price, amount: op.amount }), (r) => this.placed(k, op.node, op.amount, r));
        return;
      case 'accept':
        this.trace.add('accept', { k, n, order: op.orderId, amount: op.amount });
        this.track(k, op.node, ex, ex.accept(op.orderId, op.amount), (r) => this.accepted(k, op.node, op.amount, r));
        return;
      case 'cancel':
        this.trace.add('cancel', { k, n, order: op.orderId });
        this.track(k, op.node, ex, ex.cancel(op.orderId), (r) => this.cancelled(k, op.node, r));
        return;
      case 'drop':
        this.trace.add('drop', { k, n, peer: this.rec.name(op.peer), done: ex.network.disconnect(op.peer, 'LINK_CUT') });
        return;
      case 'connect':
        this.trace.add('connect', { k, n, to: op.to.index });
        this.track(k, op.node, ex, ex.connect(op.to.host, SIM_PORT), (p) => this.trace.add('linked', { k, n, peer: this.rec.name(p.nodeId) }));
        return;
    }
  }

  private track<T>(k: number, node: SimNode, ex: Exchange, p: Promise<T>, ok: (r: T) => void): void {
    this.inflight++;
    p.then(
      (r) => {
        this.inflight--;
        if (node.exchange !== ex) return this.lost(k, node);
        this.counts.acked++;
        ok(r);
      },
      (err: unknown) => {
        this.inflight--;
        if (node.exchange !== ex) return this.lost(k, node);
        if (err instanceof ExchangeError) {
          this.counts.refused[err.code] = (this.counts.refused[err.code] ?? 0) + 1;
          this.trace.add('refused', { k, n: node.index, code: err.code });
          return;
        }
        const message = err instanceof Error ? err.stack ?? err.message : String(err);
        this.trace.add('crash', { k, n: node.index });
        this.violations.push({ code: 'CRASH', message: `operation ${k} on node ${node.index} failed with a non-ExchangeError: ${message}` });
      },
    );
  }

  private lost(k: number, node: SimNode): void {
    this.counts.noReply++;
    this.trace.add('no-reply', { k, n: node.index });
  }

  private placed(k: number, node: SimNode, asked: number, r: PlaceResult): void {
    const now = this.world.clock.now();
    const pending = r.pending.reduce((s, p) => s + p.requested, 0);
    const fills = r.fills.reduce((s, t) => s + t.amount, 0);
    this.trace.add('placed', {
      k,
      n: node.index,
      filled: r.filled,
      rested: r.rested,
      order: r.order?.id,
      fills: r.fills.map((t) => t.id).join(',') || undefined,
      pending: r.pending.map((p) => `${p.acceptId}:${p.requested}`).join(',') || undefined,
      refused: r.refused.map((x) => x.reason).join(',') || undefined,
      cancelled: r.remainderCancelled ? `${r.remainderCancelled.amount}:${r.remainderCancelled.reason}` : undefined,
    });
    const accounted = r.filled + r.rested + pending + (r.remainderCancelled?.amount ?? 0);
    if (r.requested !== asked || accounted !== asked || fills !== r.filled) {
      this.violations.push({
        code: 'PLACE_ACCOUNTING',
        message: `placement ${k} on node ${node.index} asked ${asked}: filled ${r.filled} (fills add to ${fills}) + rested ${r.rested} + pending ${pending} + cancelled ${r.remainderCancelled?.amount ?? 0} = ${accounted}`,
      });
    }
    if (r.order) this.acks.order(node.index, r.order.id, now);
    for (const t of r.fills) this.acks.trade(node.index, t, now);
    for (const p of r.pending) this.acks.unknown(node.index, p, now);
  }

  private accepted(k: number, node: SimNode, asked: number, r: AcceptResult): void {
    const now = this.world.clock.now();
    this.trace.add('accepted', { k, n: node.index, filled: r.filled, trade: r.trade?.id, reason: r.reason, pending: r.pending?.acceptId });
    if (r.filled > asked || (r.filled > 0) !== (r.trade !== null) || (r.trade !== null && r.trade.amount !== r.filled)) {
      this.violations.push({ code: 'ACCEPT_ACCOUNTING', message: `take ${k} on node ${node.index} asked ${asked}, filled ${r.filled}, trade ${r.trade ? r.trade.amount : 'none'}` });
    }
    if (r.trade) this.acks.trade(node.index, r.trade, now);
    if (r.pending) this.acks.unknown(node.index, r.pending, now);
  }

  private cancelled(k: number, node: SimNode, o: OrderView): void {
    this.trace.add('cancelled', { k, n: node.index, order: o.id, status: o.status, filled: o.filled });
    if (o.status === 'cancelled') this.acks.cancel(node.index, o.id, this.world.clock.now());
    else this.violations.push({ code: 'CANCEL_NOT_CANCELLED', message: `cancel ${k} on node ${node.index} returned order ${o.id} as ${o.status}` });
  }
}
