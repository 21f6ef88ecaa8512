import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { BookSync } from '../gossip/book-sync';
import { GossipEvent, openSigned, signEvent } from '../gossip/event';
import { GossipRouter } from '../gossip/router';
import { SeenSet } from '../gossip/seen-set';
import { Identity } from '../identity/identity';
import type { PeerConnection } from '../peer/connection';
import { PeerManager } from '../peer/manager';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { Message } from '../wire/messages';
import { NetConfig, NetOptions, resolveOptions } from './options';
import { PeerView, viewOf } from './peer-view';

export type { NetOptions } from './options';
export type { PeerView } from './peer-view';
export type { GossipEvent, RawEvent } from '../gossip/event';
export { openSigned } from '../gossip/event';
export { ConnectError, ConnectCode } from '../peer/errors';
export { ErrorCode, ProtocolError } from '../wire/errors';

/** File in the data directory with the addresses of peers we completed a handshake with. */
export const PEERS_FILE = 'peers.json';
/** Bytes an event frame adds around body and sig (map, keys, bin headers, hops). */
const EVENT_FRAME_OVERHEAD = 48;

export interface NetStats {
  framesIn: number;
  framesOut: number;
  /** Gossip events delivered to the app ('event'). */
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
  /** Verified but refused by the app's `validate`. */
  eventsInvalid: number;
  syncEventsIn: number;
  syncEventsOut: number;
  bytesQueued: number;
  peers: number;
  inbound: number;
  outbound: number;
  seen: number;
}

/** Thrown by publish() for an event too large for one frame. */
export class PublishError extends Error {
  constructor(readonly code: 'EVENT_TOO_LARGE', message: string) {
    super(message);
  }
}

/**
 * A network node: the peer manager, gossip and book sync wired together behind the
 * in-process API the exchange uses.
 *
 * Events: 'event' (ev, from: PeerView) once per id after verify + validate;
 * 'sync-event' (ev, from) per verified event of a peer's book-sync batch that is
 * not new gossip (seen already, or older than the seen window: not relayed) — a new
 * one inside the window is validated, delivered as 'event' and relayed instead; 'sync-done' (from, count) once per
 * connection; 'peer' (p) after each handshake; 'peer-closed' (p, reason code).
 */
export class NetNode extends EventEmitter {
  readonly nodeId: string;
  readonly host: string;
  port = 0;
  private readonly manager: PeerManager;
  private readonly router: GossipRouter;
  private readonly views = new WeakMap<PeerConnection, PeerView>();
  private readonly sync: BookSync;
  private published = 0;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly cfg: NetConfig,
    readonly identity: Identity,
  ) {
    super();
    this.nodeId = identity.nodeId;
    this.host = cfg.host;
    this.manager = new PeerManager({
      ...cfg,
      identity,
      peersFile: cfg.dataDir ? join(cfg.dataDir, PEERS_FILE) : undefined,
    });
    this.router = new GossipRouter(new SeenSet(cfg.seenWindowMs, cfg.seenMax, cfg.maxClockSkewMs), {
      now: cfg.now,
      validate: cfg.validate && ((ev, from) => this.validate(ev, from)),
      deliver: (ev, from) => this.safeEmit('event', ev, this.viewById(from)),
      broadcast: (frame, except) => this.manager.broadcast(frame, except),
      dropped: (ev, from, code) => this.cfg.log.warn('peer.invalid', { peer: from, code, kind: ev.kind, event: ev.id }),
    });
    this.sync = new BookSync({ maxFrameBytes: cfg.maxFrameBytes, maxWriteBufferBytes: cfg.maxWriteBufferBytes, log: cfg.log, source: cfg.syncSource });
    this.manager.on('peer', (conn: PeerConnection) => this.onPeer(conn));
    this.manager.on('peer-closed', (conn: PeerConnection, info: { code: string }) => this.safeEmit('peer-closed', this.view(conn), info.code));
    this.manager.on('message', (conn: PeerConnection, msg: Message) => this.onMessage(conn, msg));
  }

  /** Creates the node and listens; resolved once the port is bound. Dials `peers` after. */
  static async start(opts: NetOptions): Promise<NetNode> {
    const cfg = resolveOptions(opts);
    const identity = cfg.identity ?? (cfg.dataDir ? Identity.loadOrCreate(cfg.dataDir) : Identity.generate());
    const node = new NetNode(cfg, identity);
    node.port = await node.manager.listen(cfg.host, cfg.port);
    cfg.log.info('net.listening', { nodeId: node.nodeId, host: cfg.host, port: node.port });
    for (const p of cfg.peers) node.manager.book.learn(p.host, p.port, null);
    node.manager.maintain();
    return node;
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

  /** Signs a new event and sends it to every peer. Not emitted as 'event' locally. */
  /**
   * `beforeSend` runs on the signed event before any byte of it leaves: the place to
   * make it durable (an owner must not let the network see a decision it could forget).
   */
  publish(kind: string, data: Record<string, unknown>, beforeSend?: (ev: GossipEvent) => void): GossipEvent {
    const ev = signEvent(this.identity, kind, data, this.cfg.now());
    const size = ev.raw.body.length + ev.raw.sig.length + EVENT_FRAME_OVERHEAD;
    if (size > this.cfg.maxFrameBytes) {
      throw new PublishError('EVENT_TOO_LARGE', `event of ~${size} bytes exceeds the frame limit of ${this.cfg.maxFrameBytes}`);
    }
    beforeSend?.(ev);
    this.published++;
    this.router.publish(ev);
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

  stats(): NetStats {
    let framesIn = this.manager.retired.framesIn;
    let framesOut = this.manager.retired.framesOut;
    for (const c of this.manager.liveConnections()) {
      framesIn += c.framesIn;
      framesOut += c.framesOut;
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
      syncEventsIn: this.sync.counts.in,
      syncEventsOut: this.sync.counts.out,
      bytesQueued: this.manager.bytesQueued,
      peers: peers.length,
      inbound: peers.filter((c) => c.direction === 'inbound').length,
      outbound: peers.filter((c) => c.direction === 'outbound').length,
      seen: this.router.seen.size,
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
    await Promise.all(this.manager.liveConnections().map((c) => c.roundTrip()));
  }

  /**
   * Says goodbye (error frame SHUTDOWN) to every peer and releases every socket and
   * timer. `abrupt` drops links without a word, as a crash would (for tests).
   */
  close(opts: { abrupt?: boolean } = {}): Promise<void> {
    this.closed ??= this.manager.close(opts.abrupt === true).then(() => this.cfg.log.info('net.closed', { nodeId: this.nodeId }));
    return this.closed;
  }

  private onPeer(conn: PeerConnection): void {
    this.safeEmit('peer', this.view(conn));
    void this.sync.start(conn);
  }

  private onMessage(conn: PeerConnection, msg: Message): void {
    if (msg.t === 'event') {
      this.router.receive(msg, conn.remoteId as string);
    } else if (msg.t === 'sync') {
      const { events, total } = this.sync.receive(conn, msg);
      const from = this.view(conn);
      for (const ev of events) {
        if (!this.router.adoptFromSync(ev, conn.remoteId as string)) this.safeEmit('sync-event', ev, from);
      }
      if (total !== null) this.safeEmit('sync-done', from, total);
    } else {
      throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `${msg.t} is not expected here`);
    }
  }

  private validate(ev: GossipEvent, from: string | null): string | null {
    try {
      return this.cfg.validate?.(ev, this.viewById(from)) ?? null;
    } catch (err) {
      this.cfg.log.warn('net.listener-error', { hook: 'validate', error: (err as Error).message });
      return 'VALIDATE_FAILED';
    }
  }

  /** App listeners run inside our socket handlers; their bugs must not drop the peer. */
  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
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
