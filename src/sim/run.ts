/**
 * One simulated run: `run(seed, scenario)`. N real Exchange nodes on the in-memory
 * transport in virtual time; a seeded workload of orders, takes, cancels, link drops and
 * dials, kills and restarts from the store, partitions that heal, and per-node clock
 * offsets; then everything is healed, the network settles, and the invariants are
 * checked. The same seed gives the same trace, byte for byte (its sha256 is in the
 * result); a failing run carries the command that replays it.
 *
 * Phases: form (formation.ts: nodes join and link), work (the workload for the
 * scenario's duration, faults.ts undoing faults on time), quiesce (quiet.ts: heal,
 * restart, join the pieces, settle, re-check crossings, settle, outwait cooldowns),
 * check (invariants.ts), close (no timer may outlive the nodes).
 */
import { wallMs } from '../clock/wall-time';
import { DEFAULT_TUNING } from '../exchange/exchange';
import { rememberVerifications, verifyMemoCounts } from '../gossip/verify-memo';
import { Acknowledged } from './acknowledged';
import { formNetwork } from './formation';
import { Faults } from './faults';
import { checkQuiescent, type CheckContext, type Violation } from './invariants';
import { Operations } from './operations';
import { joinPieces, outwaitCooldowns, settleOr } from './quiet';
import { Recorder } from './recorder';
import { networkFigures, type Report } from './report';
import type { Scenario } from './scenarios';
import { Trace } from './trace';
import { Workload, type Op } from './workload';
import { World } from './world';

/** After closing, timers that still fire after this many steps are a leak (an interval left armed). */
const LEAK_STEPS = 10_000;
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
  private readonly faults: Faults;
  private readonly t0: number;
  private readonly retainMs: number;
  /** The nodes' periodic crossing re-check interval (Exchange.start). */
  private readonly recheckMs: number;
  /** Virtual ms the quiet network was left to run while cooldowns kept a book crossed. */
  private waitedMs = 0;
  private memo = { hits: 0, misses: 0 };
  private workloadMs = 0;
  private nextProgress = 0;
  private wallStart = 0;
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
    this.faults = new Faults(this.world, this.trace, this.ops, this.violations, () => this.context());
    const tuning = { ...DEFAULT_TUNING, ...sc.tuning };
    this.retainMs = tuning.retainMs;
    this.recheckMs = 4 * (tuning.acceptTimeoutMs + tuning.clockBoundMs);
  }

  async run(): Promise<RunResult> {
    this.wallStart = wallMs();
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
    const wall = wallMs() - this.wallStart;
    return this.result(wall);
  }

  // ---- form ------------------------------------------------------------------------------

  private async form(): Promise<void> {
    await formNetwork(this.world, this.sc, this.world.clock.rng.fork('setup'), this.trace, this.opts.progress);
    this.keep(await settleOr(this.world, 'formed', this.trace));
    this.opts.progress?.(`  formed: ${this.links()} links`);
    this.trace.add('formed', { links: this.links() });
  }

  // ---- work ------------------------------------------------------------------------------

  private async work(): Promise<void> {
    const start = this.world.clock.now();
    const end = start + this.sc.durationMs;
    this.nextProgress = start + PROGRESS_EVERY_MS;
    const fixed = this.sc.fixedPartition;
    if (fixed) this.faults.partitionAt(start + fixed.atMs, this.workload.split(this.world.nodes), fixed.forMs);
    let nextOp = start + this.workload.gap();
    for (;;) {
      const at = Math.min(nextOp, this.faults.nextAt);
      if (at > end) break;
      await this.world.clock.runUntil(at);
      this.progress();
      if (this.faults.nextAt <= nextOp) {
        await this.faults.runNext();
        continue;
      }
      nextOp += this.workload.gap();
      const op = this.workload.next(this.world, { partitioned: this.faults.partitioned });
      if (op) await this.apply(op);
      else this.ops.skipped();
    }
    await this.world.clock.runUntil(end);
    this.workloadMs = this.world.clock.now() - start;
  }

  private async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'kill':
      case 'stop':
        return this.faults.takeDown(op.node, op.kind, op.downMs);
      case 'partition':
        return this.faults.partition(op.groups, op.forMs);
      default:
        this.ops.issue(op);
    }
  }

  // ---- quiesce and check -------------------------------------------------------------------

  private async quiesce(): Promise<void> {
    this.trace.add('quiesce', { inflight: this.ops.inflight, down: this.world.nodes.length - this.world.running.length });
    const step = this.stepper();
    await this.faults.undoAll();
    step('healed and restarted');
    this.keep(await joinPieces(this.world, this.trace));
    step('pieces joined');
    this.keep(await settleOr(this.world, 'quiet', this.trace));
    step('settled');
    for (const n of this.world.running) n.ex.recheckCrossings();
    this.keep(await settleOr(this.world, 'rechecked', this.trace));
    step('crossings re-checked, settled');
    this.waitedMs = await outwaitCooldowns(this.world, this.trace, this.recheckMs, (v) => this.keep(v));
    step('cooldowns outwaited');
    this.trace.add('settled', { links: this.links(), inflight: this.ops.inflight });
  }

  /** Reports each quiescence step with the virtual and wall time it took (long runs). */
  private stepper(): (what: string) => void {
    let [v, w] = [this.world.clock.now(), wallMs()];
    return (what) => {
      const [v2, w2] = [this.world.clock.now(), wallMs()];
      this.opts.progress?.(`  quiesce: ${what} in ${((v2 - v) / 1000).toFixed(1)} simulated s, ${((w2 - w) / 1000).toFixed(1)} wall s; ${this.world.running.length} up, ${this.links()} links; ${this.wallNote()}`);
      [v, w] = [v2, w2];
    };
  }

  /** Wall time since the run began and the process's memory (progress lines only, never the trace). */
  private wallNote(): string {
    return `${((wallMs() - this.wallStart) / 1000).toFixed(0)} wall s in all, rss ${(process.memoryUsage.rss() / 2 ** 30).toFixed(1)} GiB`;
  }

  private keep(v: Violation | null): void {
    if (v) this.violations.push(v);
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
    this.opts.progress(`  ${s.toFixed(0)} simulated s: ${this.world.running.length}/${this.world.nodes.length} up, ${this.links()} links, ${this.ops.inflight} operations in flight, trace ${this.trace.count} lines; ${this.wallNote()}`);
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

