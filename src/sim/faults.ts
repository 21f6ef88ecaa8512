/**
 * The faults of a run and their undoing: nodes killed (-9) or stopped and restarted
 * later, one partition at a time healed later. Each restart is checked at once against
 * what the node held when it went down, before any peer can reach it: only its own disk
 * speaks then.
 */
import { checkRestored, snapshot, type CheckContext, type DownSnapshot, type Violation } from './invariants';
import type { Operations } from './operations';
import type { Trace } from './trace';
import type { SimNode, World } from './world';

/** Something undone (or the fixed partition begun) at a set virtual time. */
interface Scheduled {
  at: number;
  seq: number;
  kind: 'restart' | 'heal' | 'partition';
  fn: () => Promise<void>;
}

export class Faults {
  /** A partition is in force. */
  partitioned = false;
  private readonly scheduled: Scheduled[] = [];
  private readonly down = new Map<number, DownSnapshot>();
  private seq = 0;

  constructor(
    private readonly world: World,
    private readonly trace: Trace,
    private readonly ops: Operations,
    private readonly violations: Violation[],
    private readonly context: () => CheckContext,
  ) {}

  /** When the next scheduled step is due (Infinity: none). */
  get nextAt(): number {
    return this.scheduled[0]?.at ?? Infinity;
  }

  /** Runs the next scheduled step. */
  async runNext(): Promise<void> {
    const s = this.scheduled.shift();
    if (s) await s.fn();
  }

  /** Kills (-9: uncommitted writes lost) or stops (clean) `node`; it restarts `downMs` later. */
  async takeDown(node: SimNode, kind: 'kill' | 'stop', downMs: number): Promise<void> {
    this.ops.fault(kind);
    this.trace.add(kind, { n: node.index, downMs });
    const ex = node.ex;
    if (kind === 'kill') {
      this.down.set(node.index, snapshot(ex));
      await this.world.kill(node);
    } else {
      // A clean stop lets work under way finish: an operator's cancel that waited on a
      // take in flight is published as the take ends with the node (chaos seed 554).
      // What the node held is what it holds once closed.
      await this.world.stop(node);
      this.down.set(node.index, snapshot(ex));
    }
    this.schedule(this.world.clock.now() + downMs, 'restart', () => this.restart(node));
  }

  /** Cuts the network into `groups` for `forMs` (nothing if a partition is in force). */
  async partition(groups: SimNode[][], forMs: number): Promise<void> {
    if (this.partitioned) return;
    this.world.network.partition(groups.map((g) => g.map((n) => n.host)));
    this.partitioned = true;
    this.ops.fault('partition');
    this.trace.add('partition', { groups: groups.map((g) => g.map((n) => n.index).join(',')).join('|'), forMs });
    this.schedule(this.world.clock.now() + forMs, 'heal', () => this.heal());
  }

  /** A partition that begins at `at`. */
  partitionAt(at: number, groups: SimNode[][], forMs: number): void {
    this.schedule(at, 'partition', () => this.partition(groups, forMs));
  }

  /**
   * Undoes every fault in force: heals, then restarts every node that is down. A fault
   * not begun yet (the fixed partition of a shortened run) is dropped.
   */
  async undoAll(): Promise<void> {
    await this.heal();
    for (const s of this.scheduled.splice(0)) if (s.kind === 'restart') await s.fn();
  }

  private async heal(): Promise<void> {
    if (!this.partitioned) return;
    this.world.network.heal();
    this.partitioned = false;
    this.trace.add('heal');
  }

  private async restart(node: SimNode): Promise<void> {
    const before = this.down.get(node.index);
    this.down.delete(node.index);
    try {
      await this.world.boot(node);
    } catch (err) {
      this.violations.push({ code: 'BOOT_FAILED', message: `node ${node.index} failed to restart: ${(err as Error).message}` });
      return;
    }
    if (before) this.violations.push(...checkRestored(node, before, this.context()));
    this.trace.add('restarted', { n: node.index, starts: node.starts, orders: node.ex.myOrders().length, trades: node.ex.trades().length });
  }

  private schedule(at: number, kind: Scheduled['kind'], fn: () => Promise<void>): void {
    this.scheduled.push({ at, seq: this.seq++, kind, fn });
    this.scheduled.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}
