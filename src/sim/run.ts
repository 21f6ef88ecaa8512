/**
 * One simulated run: `run(seed, scenario)`. N real Exchange nodes on the in-memory
 * transport in virtual time; a seeded workload of orders, takes, cancels, link drops and
 * dials, kills and restarts from the store, partitions that heal, and per-node clock
 * offsets; then everything is healed, the network settles, and the invariants are
 * checked. The same seed gives the same trace, byte for byte (its sha256 is in the
 * result); a failing run carries the command that replays it.
 *
 * Phases: form (nodes join and link), work (the workload for the scenario's duration),
 * quiesce (heal, restart, link, settle, re-check crossings, settle), check, close.
 */
import { wallMs } from '../clock/wall-time';
import { DEFAULT_TUNING } from '../exchange/exchange';
import { rememberVerifications, verifyMemoCounts } from '../gossip/verify-memo';
import { Acknowledged } from './acknowledged';
import { COOLDOWN_MAX_MS } from '../exchange/cooldown';
import { checkQuiescent, checkRestored, snapshot, uncrossed, type CheckContext, type DownSnapshot, type Violation } from './invariants';
import { Operations } from './operations';
import { Recorder } from './recorder';
import { networkFigures, type Report } from './report';
import type { Scenario } from './scenarios';
import { Trace } from './trace';
import { Workload, type Op } from './workload';
import { SIM_PORT, World, type SimNode } from './world';

/** Dialling rounds to join what the faults left in separate pieces. */
const JOIN_ROUNDS = 5;
/** After closing, timers that still fire after this many steps are a leak (an interval left armed). */
const LEAK_STEPS = 10_000;
/** Virtual time let pass at a time while a cooldown keeps a book crossed (see outwaitCooldowns). */
const COOLDOWN_STEP_MS = 10_000;
/** Progress is reported every this much virtual time (long runs). */
const PROGRESS_EVERY_MS = 60_000;

export interface RunOptions {
  /** Keep every trace line in the result (the CLI's --trace). */
  keepTrace?: boolean;
  /** Told about progress now and then (wall-clock figures included: not in the trace). */
  progress?: (line: string) => void;
  /** Every node's log lines, for debugging one seed (not part of the trace). */
  log?: (line: string) => void;
  /**
   * Remember signature checks process-wide while the run lasts (src/gossip/verify-memo.ts):
   * the same answers, a quarter less CPU. Default on; off to measure without it.
   */
  verifyMemo?: boolean;
  /** Looks at the settled world after the checks, before it closes (tests, debugging). */
  inspect?: (world: World) => void;
}

export interface RunResult {
  seed: string;
  scenario: string;
  ok: boolean;
  violations: Violation[];
  report: Report;
  traceHash: string;
  /** The last lines of the trace (all of them with keepTrace). */
  tail: string[];
  lines: string[] | null;
  /** The command that runs this seed again. */
  replay: string;
}

export function replayCommand(scenario: string, seed: string | number): string {
  return `npm run sim -- --scenario ${scenario} --seed ${seed}`;
}

/** A fault undone (or the fixed partition begun) at a set virtual time. */
interface Scheduled {
  at: number;
  seq: number;
  kind: 'restart' | 'heal' | 'partition';
  fn: () => Promise<void>;
}

export async function run(seed: string | number, sc: Scenario, opts: RunOptions = {}): Promise<RunResult> {
  return new SimRun(String(seed), sc, opts).run();
}

class SimRun {
  private readonly world: World;
  private readonly trace: Trace;
  private readonly rec: Recorder;
  private readonly acks = new Acknowledged();
  private readonly violations: Violation[] = [];
  private readonly ops: Operations;
  private readonly workload: Workload;
  private readonly scheduled: Scheduled[] = [];
  private readonly down = new Map<number, DownSnapshot>();
  private readonly t0: number;
  private readonly retainMs: number;
  private schedSeq = 0;
  /** The nodes' periodic crossing re-check interval (Exchange.start). */
  private readonly recheckMs: number;
  /** Virtual ms the quiet network was left to run while cooldowns kept a book crossed. */
  private waitedMs = 0;
  private memo = { hits: 0, misses: 0 };
  private partitioned = false;
  private workloadMs = 0;
  private nextProgress = 0;
  /** Trade ids and resting orders on the first node at the end (the report's). */
  private finalTrades = new Set<string>();
  private finalResting = 0;

  constructor(
    private readonly seed: string,
    private readonly sc: Scenario,
    private readonly opts: RunOptions,
  ) {
    let rec: Recorder | null = null;
    this.world = new World({
      seed: `${sc.name}:${seed}`,
      link: sc.link,
      tuning: sc.tuning,
      net: sc.net,
      log: (node) => rec!.logger(node),
      onStart: (node, ex) => rec!.attach(node, ex),
    });
    this.t0 = this.world.clock.now();
    this.trace = new Trace(() => this.world.clock.now() - this.t0, { keep: opts.keepTrace });
    this.rec = rec = new Recorder(this.world, this.trace, opts.log ?? null);
    this.ops = new Operations(this.world, this.trace, this.acks, this.rec, this.violations);
    this.workload = new Workload(this.world.clock.rng.fork('workload'), sc);
    const tuning = { ...DEFAULT_TUNING, ...sc.tuning };
    this.retainMs = tuning.retainMs;
    this.recheckMs = 4 * (tuning.acceptTimeoutMs + tuning.clockBoundMs);
  }

  async run(): Promise<RunResult> {
    const wallStart = wallMs();
    const memoWas = rememberVerifications(this.opts.verifyMemo ?? true);
    try {
      this.trace.add('run', { scenario: this.sc.name, seed: this.seed });
      await this.form();
      await this.work();
      await this.quiesce();
      this.check();
      this.opts.inspect?.(this.world);
      await this.close();
      this.memo = { ...verifyMemoCounts };
    } finally {
      rememberVerifications(memoWas);
    }
    const wall = wallMs() - wallStart;
    return this.result(wall);
  }

  // ---- form ------------------------------------------------------------------------------

  private async form(): Promise<void> {
    const sc = this.sc;
    const rng = this.world.clock.rng.fork('setup');
    const count = sc.nodes.min + rng.int(sc.nodes.max - sc.nodes.min + 1);
    const latency: number[] = [];
    const slow: boolean[] = [];
    for (let i = 0; i < count; i++) {
      latency.push(sc.latencyMs.min + rng.int(sc.latencyMs.max - sc.latencyMs.min + 1));
      slow.push(rng.random() < sc.slowShare);
    }
    // A link's latency is the mean of its two ends'; a slow end makes the whole link slow.
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < i; j++) {
        const p = { ...sc.link, latencyMs: Math.round((latency[i] + latency[j]) / 2), ...(slow[i] || slow[j] ? sc.slowLink : {}) };
        this.world.network.setLink(World.hostOf(i), World.hostOf(j), p);
      }
    }
    for (let i = 0; i < count; i++) {
      const clockOffsetMs = Math.round((rng.random() * 2 - 1) * sc.clockOffsetMs);
      const earlier = [...this.world.nodes];
      const peers: SimNode[] = [];
      while (peers.length < Math.min(sc.bootstrapPeers, earlier.length)) {
        const p = earlier[rng.int(earlier.length)];
        if (!peers.includes(p)) peers.push(p);
      }
      const node = await this.world.addNode({ clockOffsetMs, peers });
      if ((i + 1) % 50 === 0) this.opts.progress?.(`  ${i + 1} nodes started`);
      this.trace.add('node', { n: node.index, id: node.nodeId.slice(0, 16), offset: clockOffsetMs, latency: latency[i], slow: slow[i], peers: peers.map((p) => p.index).join(',') || undefined });
    }
    await this.settle('formed');
    this.opts.progress?.(`  formed: ${this.links()} links`);
    this.trace.add('formed', { links: this.links() });
  }

  // ---- work ------------------------------------------------------------------------------

  private async work(): Promise<void> {
    const start = this.world.clock.now();
    const end = start + this.sc.durationMs;
    this.nextProgress = start + PROGRESS_EVERY_MS;
    const fixed = this.sc.fixedPartition;
    if (fixed) {
      const groups = this.workload.split(this.world.nodes);
      this.schedule(start + fixed.atMs, 'partition', () => this.partition(groups, fixed.forMs));
    }
    let nextOp = start + this.workload.gap();
    for (;;) {
      const s = this.scheduled[0];
      const at = Math.min(nextOp, s?.at ?? Infinity);
      if (at > end) break;
      await this.world.clock.runUntil(at);
      this.progress();
      if (s && s.at <= nextOp) {
        this.scheduled.shift();
        await s.fn();
        continue;
      }
      nextOp += this.workload.gap();
      const op = this.workload.next(this.world, { partitioned: this.partitioned });
      if (op) await this.apply(op);
      else this.ops.skipped();
    }
    await this.world.clock.runUntil(end);
    this.workloadMs = this.world.clock.now() - start;
  }

  private async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'kill':
      case 'stop': {
        const node = op.node;
        this.ops.fault(op.kind);
        this.down.set(node.index, snapshot(node));
        this.trace.add(op.kind, { n: node.index, downMs: op.downMs });
        await (op.kind === 'kill' ? this.world.kill(node) : this.world.stop(node));
        this.schedule(this.world.clock.now() + op.downMs, 'restart', () => this.restart(node));
        return;
      }
      case 'partition':
        return this.partition(op.groups, op.forMs);
      default:
        this.ops.issue(op);
    }
  }

  private async partition(groups: SimNode[][], forMs: number): Promise<void> {
    if (this.partitioned) return;
    this.world.network.partition(groups.map((g) => g.map((n) => n.host)));
    this.partitioned = true;
    this.ops.fault('partition');
    this.trace.add('partition', { groups: groups.map((g) => g.map((n) => n.index).join(',')).join('|'), forMs });
    this.schedule(this.world.clock.now() + forMs, 'heal', () => this.heal());
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
    // Before any peer has reached it: only its own disk speaks.
    if (before) this.violations.push(...checkRestored(node, before, this.context()));
    this.trace.add('restarted', { n: node.index, starts: node.starts, orders: node.ex.myOrders().length, trades: node.ex.trades().length });
  }

  private schedule(at: number, kind: Scheduled['kind'], fn: () => Promise<void>): void {
    this.scheduled.push({ at, seq: this.schedSeq++, kind, fn });
    this.scheduled.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  // ---- quiesce and check -------------------------------------------------------------------

  private async quiesce(): Promise<void> {
    this.trace.add('quiesce', { inflight: this.ops.inflight, down: this.world.nodes.length - this.world.running.length });
    // Undo every fault still in force: heal, then bring back every node that is down.
    // A fault not begun yet (the scale run's fixed partition, in a shortened run) is dropped.
    await this.heal();
    for (const s of this.scheduled.splice(0)) if (s.kind === 'restart') await s.fn();
    await this.join();
    await this.settle('quiet');
    for (const n of this.world.running) n.ex.recheckCrossings();
    await this.settle('rechecked');
    await this.outwaitCooldowns();
    this.trace.add('settled', { links: this.links(), inflight: this.ops.inflight });
  }

  /**
   * A node leaves an owner that let its accepts run out out of matching for a while
   * (src/exchange/cooldown.ts: 30 s, doubling with repeats), so a crossing with that
   * owner's order waits for the pause to end and the node's periodic re-check. Quiet
   * is not yet final then: let virtual time pass, step by step, until no book is crossed
   * or the longest pause (plus a re-check) has passed; a crossing still there after that
   * is a violation (checked next).
   */
  private async outwaitCooldowns(): Promise<void> {
    const start = this.world.clock.now();
    while (uncrossed(this.world.running).length > 0 && this.world.clock.now() - start < COOLDOWN_MAX_MS + this.recheckMs) {
      await this.world.run(COOLDOWN_STEP_MS);
      await this.settle('cooling');
    }
    this.waitedMs = this.world.clock.now() - start;
    if (this.waitedMs > 0) this.trace.add('outwaited', { ms: this.waitedMs });
  }

  /** Dials across the pieces the faults left until every running node is reachable from every other. */
  private async join(): Promise<void> {
    for (let round = 0; round < JOIN_ROUNDS; round++) {
      const parts = this.components();
      if (parts.length <= 1) return;
      for (const part of parts.slice(1)) {
        const [a, b] = [part[0], parts[0][0]];
        try {
          await this.world.until(a.ex.connect(b.host, SIM_PORT));
          this.trace.add('join', { n: a.index, to: b.index });
        } catch (err) {
          this.trace.add('join-failed', { n: a.index, to: b.index, code: (err as { code?: string }).code });
        }
      }
    }
    if (this.components().length > 1) this.violations.push({ code: 'NOT_CONNECTED', message: `the network stayed in ${this.components().length} pieces after ${JOIN_ROUNDS} rounds of dialling` });
  }

  private components(): SimNode[][] {
    const byId = new Map(this.world.running.map((n) => [n.nodeId, n]));
    const seen = new Set<SimNode>();
    const parts: SimNode[][] = [];
    for (const start of byId.values()) {
      if (seen.has(start)) continue;
      const part: SimNode[] = [];
      const stack = [start];
      seen.add(start);
      while (stack.length > 0) {
        const n = stack.pop() as SimNode;
        part.push(n);
        for (const p of n.ex.peers()) {
          const m = byId.get(p.nodeId);
          if (m && !seen.has(m)) {
            seen.add(m);
            stack.push(m);
          }
        }
      }
      parts.push(part.sort((a, b) => a.index - b.index));
    }
    return parts;
  }

  private async settle(phase: string): Promise<void> {
    try {
      await this.world.settle();
    } catch (err) {
      this.violations.push({ code: 'NOT_SETTLED', message: `${phase}: ${(err as Error).message}` });
      this.trace.add('not-settled', { phase });
    }
  }

  private check(): void {
    if (this.ops.inflight > 0) this.violations.push({ code: 'UNANSWERED', message: `${this.ops.inflight} operations never answered` });
    const nodes = this.world.running;
    this.violations.push(...checkQuiescent(nodes, this.context()));
    for (const b of this.rec.bugs) this.violations.push({ code: 'BUG_WARNING', message: b });
    const first = nodes[0];
    if (first) {
      const book = first.ex.book();
      this.finalTrades = new Set(first.ex.trades().map((t) => t.id));
      this.finalResting = book.bids.length + book.asks.length;
    }
    this.trace.add('end', { digest: first?.ex.digest().slice(0, 16), trades: this.finalTrades.size, resting: this.finalResting });
    for (const v of this.violations) this.trace.add('violation', { code: v.code });
  }

  private async close(): Promise<void> {
    await this.world.close();
    // Whatever is still armed once every node is closed must run out by itself: an
    // interval left behind never does.
    let steps = 0;
    for (let at = this.world.clock.nextAt(); at !== null && steps < LEAK_STEPS; at = this.world.clock.nextAt(), steps++) {
      await this.world.clock.runUntil(at);
    }
    if (this.world.clock.pending > 0) {
      this.violations.push({ code: 'TIMER_LEAK', message: `${this.world.clock.pending} timers still armed after every node closed` });
    }
  }

  private context(): CheckContext {
    return { acks: this.acks, closedAt: this.rec.closedAt, retainMs: this.retainMs, now: this.world.clock.now() };
  }

  private links(): number {
    return this.world.running.reduce((s, n) => s + n.ex.peers().length, 0) / 2;
  }

  private progress(): void {
    if (!this.opts.progress || this.world.clock.now() < this.nextProgress) return;
    this.nextProgress += PROGRESS_EVERY_MS;
    const s = (this.world.clock.now() - this.t0) / 1000;
    this.opts.progress(`  ${s.toFixed(0)} simulated s: ${this.world.running.length}/${this.world.nodes.length} up, ${this.links()} links, ${this.ops.inflight} operations in flight, trace ${this.trace.count} lines`);
  }

  private result(wall: number): RunResult {
    const virtualMs = this.world.clock.now() - this.t0;
    const traceHash = this.trace.digest();
    const report: Report = {
      scenario: this.sc.name,
      seed: this.seed,
      nodes: this.world.nodes.length,
      virtualMs,
      workloadMs: this.workloadMs,
      cooldownWaitMs: this.waitedMs,
      verifyMemo: this.opts.verifyMemo === false ? null : this.memo,
      wallMs: wall,
      simPerWall: wall > 0 ? virtualMs / wall : 0,
      ops: this.ops.counts,
      ...networkFigures(this.rec, this.world.nodes.length),
      trades: this.finalTrades.size,
      resting: this.finalResting,
      pendingLegs: this.acks.pending.length,
      pendingLanded: this.acks.pending.filter((p) => this.finalTrades.has(p.take.acceptId)).length,
      traceLines: this.trace.count,
      traceHash,
    };
    return {
      seed: this.seed,
      scenario: this.sc.name,
      ok: this.violations.length === 0,
      violations: this.violations,
      report,
      traceHash,
      tail: this.trace.tail(),
      lines: this.trace.lines,
      replay: replayCommand(this.sc.name, this.seed),
    };
  }
}

