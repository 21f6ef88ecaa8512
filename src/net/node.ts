import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Clock } from '../clock/clock';
import { BookSync } from '../gossip/book-sync';
import { decodeEvent, GossipEvent, openSigned, RawEvent, signEvent, verifyEvent } from '../gossip/event';
import { GossipRouter, type GossipApp, type Via } from '../gossip/router';
import { SeenSet } from '../gossip/seen-set';
import { Identity } from '../identity/identity';
import type { PeerConnection } from '../peer/connection';
import type { Outcome, Penalised, ScoreVerdict } from '../peer/link-scores';
import { PeerManager } from '../peer/manager';
import type { LinkServices } from '../peer/protocol';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { encodeFrame } from '../wire/frame';
import type { ProofMsg } from '../wire/messages';
import { DEFAULT_LINK_BUDGETS } from '../limits/budgets';
import { RelayShaper } from './relay-shaper';
import { NetConfig, NetOptions, resolveOptions } from './options';
import { PeerView, viewOf } from './peer-view';

export type { NetOptions } from './options';
export type { PeerView } from './peer-view';
export type { Outcome, Penalised, ScoreVerdict } from '../peer/link-scores';
export { perHostGroup, defaultNetGroup, type NetGroupFn } from '../peer/netgroup';
export type { GossipEvent, RawEvent } from '../gossip/event';
export type { Via } from '../gossip/router';
export { openSigned } from '../gossip/event';
export { ConnectError, ConnectCode } from '../peer/errors';
export { ErrorCode, ProtocolError };

/** File in the data directory with the addresses of peers we completed a handshake with. */
export const PEERS_FILE = 'peers.json';
/** Refusals of one peer for one reason are logged at most once per this long. */
const DROP_LOG_MS = 60_000;
/** Bytes an event frame adds around body and sig (map, keys, bin headers, hops). */
const EVENT_FRAME_OVERHEAD = 48;

export interface NetStats {
  framesIn: number;
  framesOut: number;
  /** Gossip events given to the app and taken by it. */
  eventsIn: number;
  /** Event frames sent: our own publishes and relays. */
  eventsOut: number;
  /** Events this node signed and sent. */
  published: number;
  /** Event copies dropped because their id was seen already (flooding makes many). */
  eventsDuplicate: number;
  /** Refused: ts older than the seen window (or its floor). */
  eventsStale: number;
  /** Refused: ts further ahead than the clock bound. */
  eventsFuture: number;
  /** Verified but refused by the app. */
  eventsInvalid: number;
  /** Turned away for now, over a budget (not remembered: another copy may still be taken). */
  eventsThrottled: number;
  /** Second versions of an id (an origin signed two bodies under one id). */
  eventsConflicting: number;
  syncEventsIn: number;
  syncEventsOut: number;
  bytesQueued: number;
  peers: number;
  inbound: number;
  outbound: number;
  seen: number;
  /** Links closed because handling their bytes hit a bug of ours (INTERNAL_ERROR). */
  internalErrors: number;
  /** Dials and handshakes in flight. */
  connecting: number;
  /** Event frames waiting to be paced to a peer's link budget, and those dropped for a full queue. */
  relayQueued: number;
  relayDropped: number;
  /** Inbound handshakes in progress (their own pool, apart from the inbound peers). */
  handshaking: number;
  /** Addresses the address manager holds (bounded by its tables). */
  addresses: number;
  /** Inbound peers closed to make room for a newcomer (inbound full). */
  evicted: number;
  /** Newcomers refused: inbound full and every inbound peer protected. */
  refusedFull: number;
  /** Pending handshakes closed for a newcomer (pool full), or refused for their address's share. */
  handshakePoolFull: number;
  /** Outbound links closed for a link to a network group we had none in. */
  outboundReplaced: number;
  /** Feeler dials (test dials of unverified addresses, outbound full). */
  feelers: number;
  /** `peers` entries not read: over a link's message or address rate. */
  addrRelayDropped: number;
  /** Links dropped (and banned) for their score. */
  droppedByScore: number;
  /** Outcomes reported per link (report()), by kind: the throttled/dropped events per reason. */
  reported: Record<Outcome, number>;
}

/** Thrown by sign() for an event too large for one frame. */
export class PublishError extends Error {
  constructor(readonly code: 'EVENT_TOO_LARGE', message: string) {
    super(message);
  }
}

/** What runs on top of the network (the exchange): it takes events and feeds book sync. */
export interface NetApp {
  /** A verified event new to this node; null accepts it (a fresh one is then relayed), else a refusal code. */
  receive(ev: GossipEvent, from: PeerView, via: Via, fresh: boolean): string | null;
  /** A second validly signed body under an id already handled (see GossipApp.conflict). */
  conflict(ev: GossipEvent, from: PeerView, via: Via): string | null;
  /** The signed events a new peer gets in book sync. */
  syncSource(to: PeerView): Iterable<RawEvent>;
  peerOpened?(p: PeerView): void;
  peerClosed?(p: PeerView, code: string): void;
  syncDone?(from: PeerView, count: number): void;
  /** A peer's sync offered an event already handled here (only its id is known: not verified again). */
  offeredAgain?(id: string, from: PeerView): void;
  /**
   * Two verified events said to prove that their origin equivocated. 'new' when they
   * taught us something (the proof is then passed on to every other peer), 'known' when
   * not, or a refusal code: a false accusation, which ends the link (BAD_EVIDENCE).
   */
  proof?(a: GossipEvent, b: GossipEvent, from: PeerView): string;
  /** The proofs a new peer gets, before its book sync. */
  proofs?(): Iterable<[RawEvent, RawEvent]>;
  /** A live event new to us, before its signature is checked: null admits it (see GossipApp.admitLink). */
  admitLink?(ev: GossipEvent, from: PeerView): string | null;
  /** Which link budget class an event kind pays: relays are paced to it (relay-shaper.ts). */
  relayClass?(kind: string): string;
}

/** What NetApp.proof answers when a proof taught it something, or nothing. */
export const PROOF_NEW = 'new';
export const PROOF_KNOWN = 'known';

/** Events for observers (tests, embedders). The app is told through NetApp, not these. */
export interface NetEvents {
  /** A fresh event the app took (gossip, or new and fresh in a sync: relayed). */
  event: [ev: GossipEvent, from: PeerView];
  /** Book state from a sync, older than the gossip window, that the app took (not relayed). */
  'sync-event': [ev: GossipEvent, from: PeerView];
  'sync-done': [from: PeerView, count: number];
  /** A second version of an event its origin already signed, taken as a conflict (and relayed once). */
  conflict: [ev: GossipEvent, from: PeerView];
  peer: [p: PeerView];
  'peer-closed': [p: PeerView, code: string];
}

/**
 * A network node: the peer manager, gossip and book sync wired together behind the
 * in-process API the exchange uses. Construct (`create`), wire (`setApp`), then start.
 *
 * The path of an event: transport stream → PeerConnection (decode, registry dispatch,
 * crash-proof boundary) → GossipRouter (dedupe, time window, verify) → NetApp.receive
 * → relay by the router if taken.
 */
export class NetNode extends EventEmitter<NetEvents> {
  readonly nodeId: string;
  readonly host: string;
  port = 0;
  readonly clock: Clock;
  private readonly manager: PeerManager;
  private readonly router: GossipRouter;
  private readonly sync: BookSync;
  private readonly views = new WeakMap<PeerConnection, PeerView>();
  private app: NetApp | null = null;
  /** Paces relays to each peer's link budget (when the app says which budget a kind pays). */
  private shaper: RelayShaper | null = null;
  private classOf: (kind: string) => string = () => '';
  private readonly dropLog = new Map<string, { at: number; more: number }>();
  private published = 0;
  private started = false;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly cfg: NetConfig,
    readonly identity: Identity,
  ) {
    super();
    this.nodeId = identity.nodeId;
    this.host = cfg.host;
    this.clock = cfg.clock;
    this.router = new GossipRouter(new SeenSet(cfg.seenWindowMs, cfg.seenMax, cfg.maxClockSkewMs), {
      clock: cfg.clock,
      broadcast: (frame, except, kind, own) => this.relay(frame, except, kind, own === true),
      dropped: (ev, from, code) => this.logDrop(ev, from, code),
    });
    this.router.setApp(this.gossipApp());
    this.sync = new BookSync({
      maxFrameBytes: cfg.maxFrameBytes,
      maxWriteBufferBytes: cfg.maxWriteBufferBytes,
      clock: cfg.clock,
      log: cfg.log,
      handled: (ev) => this.router.isHandledCopy(ev),
      deliver: (ev, from) => this.router.onSyncEvent(ev, from),
      offeredAgain: (id, from) => this.app?.offeredAgain?.(id, this.viewById(from)),
      done: (from, count) => this.syncDone(from, count),
    });
    const services: LinkServices = {
      onPeers: (link, msg) => this.manager.onPeers(link, msg),
      onEvent: (link, msg) => void this.router.onEvent(msg, link.remoteId as string),
      onSync: (link, msg) => this.sync.onSync(link, msg),
      onProof: (link, msg) => this.onProof(link.remoteId as string, msg),
    };
    this.manager = new PeerManager({ ...cfg, identity, peersFile: cfg.dataDir ? join(cfg.dataDir, PEERS_FILE) : undefined }, services, {
      opened: (conn) => this.peerOpened(conn),
      closed: (conn, info) => this.peerClosed(conn, info.code),
    });
  }

  /** Builds the node without any I/O: wire the app with setApp(), then start(). */
  static create(opts: NetOptions): NetNode {
    const cfg = resolveOptions(opts);
    const identity = cfg.identity ?? (cfg.dataDir ? Identity.loadOrCreate(cfg.dataDir) : Identity.generate());
    return new NetNode(cfg, identity);
  }

  /** A bare node (no app: every valid event is taken), started. */
  static async start(opts: NetOptions): Promise<NetNode> {
    const node = NetNode.create(opts);
    await node.start();
    return node;
  }

  /** Wires the application (before start). */
  setApp(app: NetApp): void {
    this.app = app;
    const classOf = app.relayClass;
    if (classOf) {
      this.shaper = new RelayShaper(this.clock, DEFAULT_LINK_BUDGETS, (peer, frame) => this.manager.sendTo(peer, frame));
      this.classOf = (kind) => classOf.call(app, kind);
    }
    this.sync.setSource((to) => app.syncSource(this.viewById(to)));
  }

  /** Listens, then dials the configured peers (failures are retried with backoff, not thrown). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.port = await this.manager.listen(this.cfg.host, this.cfg.port);
    this.cfg.log.info('net.listening', { nodeId: this.nodeId, host: this.cfg.host, port: this.port });
    for (const p of this.cfg.peers) this.manager.book.learn(p.host, p.port, null);
    this.manager.maintain();
  }

  /**
   * Dials and resolves after the handshake. If the node turns out to be connected
   * already, resolves with that existing link. Rejects with a ConnectError whose `code`
   * is CONNECT_FAILED, CLOSED, or the refusal's wire code (SELF_CONNECTION, SHUNNED,
   * TOO_MANY_PEERS, BAD_VERSION, CLOCK_SKEW, HANDSHAKE_TIMEOUT, ...).
   */
  async connect(host: string, port: number): Promise<PeerView> {
    return this.view(await this.manager.dial(host, port));
  }

  /** Signs a new event of ours (not sent yet: see broadcast). Throws PublishError if it cannot fit a frame. */
  sign(kind: string, data: Record<string, unknown>): GossipEvent {
    const ev = signEvent(this.identity, kind, data, this.clock.now(), this.clock.randomBytes(16));
    const size = ev.raw.body.length + ev.raw.sig.length + EVENT_FRAME_OVERHEAD;
    if (size > this.cfg.maxFrameBytes) {
      throw new PublishError('EVENT_TOO_LARGE', `event of ~${size} bytes exceeds the frame limit of ${this.cfg.maxFrameBytes}`);
    }
    return ev;
  }

  /** Sends an event of ours (signed by sign(), applied by the app) to every peer. */
  broadcast(ev: GossipEvent): number {
    this.published++;
    return this.router.publish(ev);
  }

  /** Sends a proof of equivocation we found ourselves to every peer. */
  broadcastProof(a: RawEvent, b: RawEvent): number {
    return this.manager.broadcast(encodeFrame({ t: 'proof', a, b }), new Set());
  }

  /** sign() then broadcast(): for a bare node. Not given to the app. */
  publish(kind: string, data: Record<string, unknown>): GossipEvent {
    const ev = this.sign(kind, data);
    this.broadcast(ev);
    return ev;
  }

  /**
   * Drops the link to `nodeId` at once, without a word, as a network fault would (the
   * peer manager then reconnects as for any lost link). Returns false if not linked.
   */
  disconnect(nodeId: string, code = 'DISCONNECTED'): boolean {
    const conn = this.manager.get(nodeId);
    if (!conn) return false;
    conn.drop(code, 'disconnected by the local node');
    return true;
  }

  peers(): PeerView[] {
    return this.manager.peers().map((c) => this.view(c));
  }

  /**
   * What the exchange or the router observed of an event from `peerId`: 'useful' (the
   * first copy of a valid new event; also protects the link from eviction), 'duplicate',
   * 'over-budget', 'invalid' (good signature, fails checks), 'peers-flood'. A link whose
   * score sinks below the threshold is closed (SHUNNED) and banned, with one
   * `peer.banned` log line; `peer.throttled` is logged once when it becomes penalised.
   */
  report(peerId: string, outcome: Outcome): ScoreVerdict {
    return this.manager.report(peerId, outcome);
  }

  /** Peers whose score is below the penalty line, or banned: node id, score, ban end (ms) or null. */
  penalised(): Penalised[] {
    return this.manager.police.scores.penalised(this.clock.now());
  }

  stats(): NetStats {
    let framesIn = this.manager.retired.framesIn;
    let framesOut = this.manager.retired.framesOut;
    let internalErrors = this.manager.retired.internalErrors;
    for (const c of this.manager.liveConnections()) {
      framesIn += c.framesIn;
      framesOut += c.framesOut;
      internalErrors += c.internalErrors;
    }
    const peers = this.manager.peers();
    const r = this.router.counts;
    return {
      framesIn,
      framesOut,
      eventsIn: r.delivered,
      eventsOut: r.relayedFrames,
      published: this.published,
      eventsDuplicate: r.duplicate,
      eventsStale: r.stale,
      eventsFuture: r.future,
      eventsInvalid: r.invalid,
      eventsThrottled: r.throttled,
      eventsConflicting: r.conflict,
      syncEventsIn: this.sync.counts.in,
      syncEventsOut: this.sync.counts.out,
      bytesQueued: this.manager.bytesQueued,
      peers: peers.length,
      inbound: peers.filter((c) => c.direction === 'inbound').length,
      outbound: peers.filter((c) => c.direction === 'outbound').length,
      seen: this.router.seen.size,
      internalErrors,
      connecting: this.manager.connecting,
      relayQueued: this.shaper?.queued ?? 0,
      relayDropped: this.shaper?.dropped ?? 0,
      handshaking: this.manager.slots.handshaking,
      addresses: this.manager.book.size,
      ...this.manager.slots.counts,
      outboundReplaced: this.manager.outbound.planner.counts.replaced,
      feelers: this.manager.outbound.planner.counts.feelers,
      addrRelayDropped: this.manager.police.addrRelayDropped,
      droppedByScore: this.manager.police.scores.dropped,
      reported: { ...this.manager.police.scores.reported },
    };
  }

  /** Resolves when every byte queued so far for any peer has been written out. */
  async flush(): Promise<void> {
    await Promise.all(this.manager.liveConnections().map((c) => c.waitQueuedBelow(0)));
  }

  /**
   * Resolves once every peer has answered a ping sent now, i.e. has handled every frame
   * we sent it before this call (see PeerConnection.roundTrip).
   */
  async roundTrip(): Promise<void> {
    // Frames still paced here come before the ping, or the pong would prove nothing.
    await this.shaper?.drained();
    await Promise.all(this.manager.liveConnections().map((c) => c.roundTrip()));
  }

  /**
   * Says goodbye (error frame SHUTDOWN) to every peer and releases every stream and
   * timer. `abrupt` drops links without a word, as a crash would.
   */
  close(opts: { abrupt?: boolean } = {}): Promise<void> {
    this.shaper?.close();
    this.closed ??= this.manager.close(opts.abrupt === true).then(() => this.cfg.log.info('net.closed', { nodeId: this.nodeId }));
    return this.closed;
  }

  /**
   * One log line per peer and reason per minute, with how many were dropped since: a
   * flood must not become a flood of log lines.
   */
  private logDrop(ev: GossipEvent, from: string, code: string): void {
    const key = `${from}|${code}`;
    const now = this.clock.now();
    const seen = this.dropLog.get(key);
    if (seen && now - seen.at < DROP_LOG_MS) {
      seen.more++;
      return;
    }
    this.dropLog.delete(key);
    if (this.dropLog.size >= 1000) this.dropLog.delete(this.dropLog.keys().next().value as string);
    this.dropLog.set(key, { at: now, more: 0 });
    this.cfg.log.warn('peer.invalid', { peer: from, code, kind: ev.kind, event: ev.id, ...(ev.synced ? { via: 'sync' } : {}), ...(seen?.more ? { alsoDropped: seen.more } : {}) });
  }

  /** Sends an event frame on: paced per link when the app names budget classes, at once otherwise; ours ahead of relays. */
  private relay(frame: Buffer, except: ReadonlySet<string>, kind: string, own: boolean): number {
    if (!this.shaper) return this.manager.broadcast(frame, except);
    const cls = this.classOf(kind);
    let n = 0;
    for (const peer of this.manager.peerIds()) if (!except.has(peer) && this.shaper.offer(peer, cls, frame, own)) n++;
    return n;
  }

  /** The router's app: the NetApp (or accept-all), plus the observer events. */
  private gossipApp(): GossipApp {
    return {
      receive: (ev: GossipEvent, from: string, via: Via, fresh: boolean): string | null => {
        const view = this.viewById(from);
        const refusal = this.app ? this.app.receive(ev, view, via, fresh) : null;
        if (refusal === null) {
          // The first copy of a good event: what a link's score and its eviction protection rest on.
          if (via === 'gossip') this.report(from, 'useful');
          this.safeEmit(fresh ? 'event' : 'sync-event', ev, view);
        }
        return refusal;
      },
      admitLink: (ev: GossipEvent, from: string): string | null => this.app?.admitLink?.(ev, this.viewById(from)) ?? null,
      conflict: (ev: GossipEvent, from: string, via: Via): string | null => {
        const view = this.viewById(from);
        const refusal = this.app ? this.app.conflict(ev, view, via) : null;
        if (refusal === null) this.safeEmit('conflict', ev, view);
        return refusal;
      },
    };
  }

  private peerOpened(conn: PeerConnection): void {
    const view = this.view(conn);
    this.app?.peerOpened?.(view);
    this.safeEmit('peer', view);
    // What we can prove goes first: the peer then judges our book as we do.
    for (const [a, b] of this.app?.proofs?.() ?? []) conn.send({ t: 'proof', a, b });
    void this.sync.start(conn);
  }

  /**
   * A proof from a peer: both events must be genuine (a forgery is the sender's fault);
   * the app judges whether they prove a conflict. A new verdict goes on to every other
   * peer, once; a false accusation ends the link.
   */
  private onProof(from: string, msg: ProofMsg): void {
    const a = decodeEvent(msg.a.body, msg.a.sig, 0);
    const b = decodeEvent(msg.b.body, msg.b.sig, 0);
    if (!verifyEvent(a) || !verifyEvent(b)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, 'a proof event is not signed by its origin');
    const verdict = this.app?.proof?.(a, b, this.viewById(from)) ?? PROOF_KNOWN;
    if (verdict === PROOF_NEW) this.manager.broadcast(encodeFrame(msg), new Set([from]));
    else if (verdict !== PROOF_KNOWN) throw new ProtocolError(ErrorCode.BAD_EVIDENCE, `the proof proves nothing: ${verdict}`);
  }

  private peerClosed(conn: PeerConnection, code: string): void {
    const view = this.view(conn);
    this.shaper?.forget(view.nodeId);
    this.app?.peerClosed?.(view, code);
    this.safeEmit('peer-closed', view, code);
  }

  private syncDone(from: string, count: number): void {
    const view = this.viewById(from);
    this.app?.syncDone?.(view, count);
    this.safeEmit('sync-done', view, count);
  }

  /** Observers' listeners run inside our stream handlers; their bugs must not drop the peer. */
  private safeEmit<K extends keyof NetEvents>(event: K, ...args: NetEvents[K]): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.cfg.log.warn('net.listener-error', { event, error: (err as Error).message });
    }
  }

  private view(conn: PeerConnection): PeerView {
    let v = this.views.get(conn);
    if (!v) {
      v = viewOf(conn);
      this.views.set(conn, v);
    }
    return v;
  }

  private viewById(id: string | null): PeerView {
    const conn = id ? this.manager.get(id) : undefined;
    return conn ? this.view(conn) : { nodeId: id ?? '', host: '', port: 0, direction: 'inbound', connectedAt: 0 };
  }

  /** Verifies and decodes signed bytes (e.g. an event embedded in another one); null if invalid. */
  static openSigned = openSigned;
}
