/**
 * A fuzz run: cases sent to a live node in batches, the node's health proved after
 * each batch, every outcome counted, and every sign of a bug of ours — an
 * INTERNAL_ERROR close, a bug log line, a wedged link, a crash of the process, a failed
 * health check — written up as a finding with the case that caused it.
 *
 * Each batch runs against a fresh node: the attacker's valid orders stay in a node's
 * book (their owners never cancel), and every new link is sent the whole book, so a
 * node kept for a million cases would spend the run streaming its book to the fuzzer.
 */
import type { NetStats } from '../src/net/node';
import { makeAuth, makeHello } from '../src/peer/handshake';
import { SeededRandom } from '../src/clock/seeded-random';
import { Identity } from '../src/identity/identity';
import { encodeFrame } from '../src/wire/frame';
import type { HelloMsg } from '../src/wire/messages';
import { bytesAwaited } from './bytes';
import { type Case, generateCase, type GenContext } from './cases';
import { captureCorpus, type Corpus } from './corpus';
import { keyring, newMemory } from './forge';
import { CrashGuard } from './guard';
import { AttackLink } from './link';
import { MemoryTarget } from './memory-target';
import { type CampaignReport, type Finding, signature } from './report';
import { type Mode, type Target, WedgedError } from './target';
import { TcpTarget } from './tcp-target';

export interface CampaignOptions {
  seed: string;
  cases: number;
  mode: Mode;
  /** Cases per node; the node's health is checked after each batch. */
  batch?: number;
  /** Called after each batch. */
  progress?: (r: CampaignReport) => void;
  /** Stop at the first finding (default: go on, collecting them). */
  stopOnFinding?: boolean;
  /** Run only this case (after generating the ones before it, so its inputs are the same). */
  only?: number;
}

/** Cases per node by default: a node's book stays small enough that new links are cheap. */
export const DEFAULT_BATCH = 500;
/** Findings kept in full; a bug that fires on every tenth case says all it has to say in 50. */
const MAX_FINDINGS = 50;
/** Cases between reads of the node's own open orders (the accept targets). */
const ORDERS_REFRESH = 50;

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

function heapNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export class Campaign {
  readonly report: CampaignReport;
  private corpus: Corpus | null = null;
  private readonly guard = new CrashGuard();
  private readonly keys: ReturnType<typeof keyring>;
  private readonly memory = newMemory();
  private readonly linkRng: SeededRandom;
  /**
   * Link keys, made once and reused by every batch (each batch's node is new, so it has
   * shunned none of them): making an Ed25519 key from a seed costs ~0.7 ms, more than
   * a whole case.
   */
  private readonly linkKeys: Identity[] = [];
  private linkKeysUsed = 0;
  private start = 0;
  private stopping = false;
  private crashesReported = 0;

  constructor(readonly opts: CampaignOptions) {
    this.keys = keyring(opts.seed);
    this.linkRng = new SeededRandom(`links:${opts.seed}`);
    this.report = {
      seed: opts.seed,
      mode: opts.mode,
      casesRun: 0,
      elapsedMs: 0,
      outcomes: {},
      handshakes: 0,
      node: { eventsIn: 0, eventsInvalid: 0, eventsStale: 0, eventsFuture: 0, eventsDuplicate: 0, syncEventsIn: 0, published: 0, internalErrors: 0 },
      warnings: {},
      bookMax: 0,
      healthChecks: 0,
      stoppedEarly: false,
      findings: [],
      findingKinds: {},
      crashes: 0,
      heap: { beforeMb: 0, afterMb: 0, peakMb: 0 },
    };
  }

  /** Ends the run after the current case; the batch's health check and the report still happen. */
  stop(): void {
    this.stopping = true;
    this.report.stoppedEarly = true;
  }

  async run(): Promise<CampaignReport> {
    this.guard.install();
    try {
      this.corpus = await captureCorpus();
      this.report.heap.beforeMb = mb(heapNow());
      this.start = Date.now();
      const batch = this.opts.batch ?? DEFAULT_BATCH;
      const only = this.opts.only;
      const end = only !== undefined ? only + 1 : this.opts.cases;
      // A batch is one node: case i always meets the node of batch floor(i / batch).
      for (let b = Math.floor((only ?? 0) / batch); b * batch < end; b++) {
        const from = Math.max(b * batch, only ?? 0);
        await this.runBatch(from, Math.min(end, (b + 1) * batch), b);
        this.crashFindings(-1);
        this.report.elapsedMs = Date.now() - this.start;
        this.report.heap.peakMb = Math.max(this.report.heap.peakMb, mb(process.memoryUsage().heapUsed));
        this.opts.progress?.(this.report);
        if (this.stopping || (this.opts.stopOnFinding && this.report.findings.length > 0)) break;
      }
      this.report.heap.afterMb = mb(heapNow());
      this.report.elapsedMs = Date.now() - this.start;
    } finally {
      this.crashFindings(-1);
      this.report.crashes = this.guard.count;
      this.guard.uninstall();
    }
    return this.report;
  }

  private async runBatch(from: number, to: number, b: number): Promise<void> {
    const seed = `${this.opts.seed}:${b}`;
    const target: Target = this.opts.mode === 'memory' ? await MemoryTarget.start(seed) : await TcpTarget.start(seed);
    let link: AttackLink | null = null;
    try {
      this.linkKeysUsed = 0;
      const ctx: GenContext = {
        corpus: this.corpus as Corpus,
        linkIdentity: this.linkKey(0),
        forge: { window: target.window, keys: this.keys, memory: this.memory, targetOrders: [] },
        now: 0,
        maxFrameBytes: target.maxFrameBytes,
      };
      // --only: the cases before it are generated (not sent), so the attacker's memory
      // of its earlier orders, which later cases refer to, is what it was.
      for (let i = 0; i < from && this.opts.only !== undefined; i++) generateCase(this.opts.seed, i, { ...ctx, now: target.now() });
      for (let i = from; i < to; i++) {
        ctx.now = target.now();
        ctx.linkIdentity = this.linkKey(this.linkKeysUsed);
        // myOrders() walks the whole ledger: refreshed now and then, not per case.
        if ((i - from) % ORDERS_REFRESH === 0) ctx.forge = { ...ctx.forge, targetOrders: target.exchange.myOrders().filter((o) => o.status === 'open') };
        const c = generateCase(this.opts.seed, i, ctx);
        const bugsBefore = target.log.bugs.length;
        let outcome: string;
        try {
          ({ outcome, link } = await this.runCase(target, c, link));
        } catch (err) {
          link?.destroy();
          link = null;
          if (!(err instanceof WedgedError)) throw err;
          outcome = 'WEDGED';
          this.find(i, 'WEDGED', err.message, c.what);
        }
        this.report.outcomes[outcome] = (this.report.outcomes[outcome] ?? 0) + 1;
        this.report.casesRun++;
        if (outcome === 'INTERNAL_ERROR') this.find(i, 'INTERNAL_ERROR', 'the node closed the link with INTERNAL_ERROR', c.what);
        for (const line of target.log.bugs.slice(bugsBefore)) this.find(i, 'BUG_LOG', `${line.event} ${JSON.stringify(line.fields)}`, c.what);
        this.crashFindings(i, c.what);
        if (this.stopping || (this.opts.stopOnFinding && this.report.findings.length > 0)) break;
      }
      link?.destroy();
      link = null;
      const health = await target.health();
      this.report.healthChecks++;
      if (!health.ok) this.find(to - 1, 'UNHEALTHY', health.detail, []);
    } finally {
      link?.destroy();
      const o = target.exchange.status().orders;
      this.report.bookMax = Math.max(this.report.bookMax, o.bids + o.asks);
      this.tally(target.exchange.network.stats(), target.log.warnCounts);
      await target.close();
    }
  }

  /** Sends one case; returns its outcome and the link to reuse (null if it closed). */
  private async runCase(target: Target, c: Case, open: AttackLink | null): Promise<{ outcome: string; link: AttackLink | null }> {
    let link = open;
    let nodeHello: HelloMsg | null = null;
    // The key of a new link: the one the case was generated with (its hello names it).
    const identity = this.linkKey(this.linkKeysUsed);
    if (c.phase !== 'open' || link === null) {
      link?.destroy();
      this.linkKeysUsed++;
      link = new AttackLink(await target.connect());
      if (c.phase === 'open' || c.phase === 'auth') {
        link.send(makeHello(identity, 0, 'fuzz', target.now(), this.linkRng.bytes(32)));
        nodeHello = (await target.drive(link.waitFor((m) => m.t === 'hello' || m.t === 'error'))) as HelloMsg | null;
        if (nodeHello?.t !== 'hello') return this.closed(link);
      }
      if (c.phase === 'open') {
        link.send(makeAuth(identity, nodeHello as HelloMsg));
        const auth = await target.drive(link.waitFor((m) => m.t === 'auth' || m.t === 'error'));
        if (auth?.t !== 'auth') {
          this.find(c.index, 'HARNESS', `honest handshake refused: ${link.errorCode ?? 'closed'}`, c.what);
          return this.closed(link);
        }
        this.report.handshakes++;
      }
    }
    const bytes = c.bytes(nodeHello);
    link.write([...c.split(bytes), Buffer.alloc(bytesAwaited(bytes, target.maxFrameBytes))]);
    if (c.phase === 'pre' || c.phase === 'auth') {
      // The node answers a hello it takes with its own (pre): we authenticate, and it
      // answers with its auth (an acceptor proves itself only to a dialler that has);
      // or, after our auth, it opens the link (auth).
      if (c.phase === 'pre') {
        const hello = await target.drive(link.waitFor((m) => m.t === 'hello' || m.t === 'error'));
        if (hello?.t !== 'hello') return this.closed(link);
        link.send(makeAuth(identity, hello));
        const answer = await target.drive(link.waitFor((m) => m.t === 'auth' || m.t === 'error'));
        if (answer?.t !== 'auth') return this.closed(link);
      } else {
        await target.drive(link.waitFor((m) => m.t === 'auth' || m.t === 'error'));
      }
    }
    return this.probe(target, link);
  }

  /** The `i`th link key (made on first use). */
  private linkKey(i: number): Identity {
    while (this.linkKeys.length <= i) this.linkKeys.push(Identity.fromSeed(this.linkRng.bytes(32)));
    return this.linkKeys[i];
  }

  /** A ping after the case: its pong means the link survived; an error frame or a close means it did not. */
  private async probe(target: Target, link: AttackLink): Promise<{ outcome: string; link: AttackLink | null }> {
    const n = Number.MAX_SAFE_INTEGER - this.report.casesRun;
    link.send({ t: 'ping', n });
    const m = await target.drive(link.waitFor((x) => (x.t === 'pong' && x.n === n) || x.t === 'error'));
    if (m?.t === 'pong') return { outcome: 'OPEN', link };
    return this.closed(link);
  }

  private closed(link: AttackLink): { outcome: string; link: null } {
    const outcome = link.errorCode ?? 'CLOSED';
    link.destroy();
    return { outcome, link: null };
  }

  /** Crashes the guard saw since the last call, as findings of case `i` (-1: between cases). */
  private crashFindings(i: number, what: string[] = []): void {
    for (; this.crashesReported < this.guard.count; this.crashesReported++) {
      const c = this.guard.crashes[this.crashesReported];
      this.find(i, 'CRASH', c ? `${c.kind}: ${c.stack ?? c.message}` : 'crash (details not kept)', what);
    }
  }

  private find(i: number, kind: Finding['kind'], detail: string, what: string[]): void {
    if (this.report.findings.length < MAX_FINDINGS) this.report.findings.push({ case: i, kind, detail, what: [...what] });
    const key = `${kind}: ${signature(detail)}`;
    const k = (this.report.findingKinds[key] ??= { count: 0, firstCase: i });
    k.count++;
  }

  private tally(s: NetStats, warns: Map<string, number>): void {
    const n = this.report.node;
    n.eventsIn += s.eventsIn;
    n.eventsInvalid += s.eventsInvalid;
    n.eventsStale += s.eventsStale;
    n.eventsFuture += s.eventsFuture;
    n.eventsDuplicate += s.eventsDuplicate;
    n.syncEventsIn += s.syncEventsIn;
    n.published += s.published;
    n.internalErrors += s.internalErrors;
    for (const [k, v] of warns) this.report.warnings[k] = (this.report.warnings[k] ?? 0) + v;
  }
}
