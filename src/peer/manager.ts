import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock/clock';
import type { Listener } from '../transport/transport';
import { ErrorCode, ProtocolError } from '../wire/errors';
import type { PeersMsg } from '../wire/messages';
import { addrString, isLoopback, normalizeHost } from './address';
import { AddrRelayLimit } from './addr-relay';
import { AddrMan } from './addrman';
import { CloseInfo, ConnectionOptions, Direction, PeerConnection } from './connection';
import { InboundSlots } from './inbound-slots';
import { LinkPolice } from './link-police';
import type { Outcome, ScoreVerdict } from './link-scores';
import type { LinkMeta, ManagerConfig, ManagerHooks, Role } from './manager-config';
import { OutboundLinks } from './outbound-links';
import { peersMessage } from './peer-exchange';
import { PeerSet } from './peer-set';
import type { LinkServices } from './protocol';
import { idKey, ipKey, shunKeys, ShunList } from './shun-list';

export type { ManagerConfig, ManagerHooks } from './manager-config';

/** A link silent this many ping intervals looks dead (see onOpen). */
const LOOKS_DEAD_FACTOR = 1.5;

/**
 * Owns every connection: listens, dials (OutboundLinks: the outbound target over
 * AddrMan, swaps, feelers, anchors, backoff), admits inbound ones (InboundSlots:
 * handshake pool, eviction), exchanges addresses within each link's limit and scores
 * links (LinkPolice), and shuns misbehaving peers. Runs on any Transport and any Clock.
 *
 * Events (for observers; the node itself is told through ManagerHooks): 'peer' (conn)
 * once per registered connection; 'peer-closed' (conn, info) for each of those.
 */
export class PeerManager extends EventEmitter {
  readonly book: AddrMan;
  readonly shuns = new ShunList();
  readonly slots: InboundSlots;
  readonly outbound: OutboundLinks;
  readonly police: LinkPolice;
  private readonly open: PeerSet;
  /** Connections the node was told about (and so must hear 'closed' for). */
  private readonly announced = new Set<PeerConnection>();
  /** Every connection not yet released (handshaking, open, closing). */
  private readonly live = new Set<PeerConnection>();
  private readonly meta = new WeakMap<PeerConnection, LinkMeta>();
  private listener: Listener | null = null;
  private closing = false;
  private readonly clock: Clock;
  listenPort = 0;
  /** Frames counted on connections already gone, so node stats stay monotonic. */
  readonly retired = { framesIn: 0, framesOut: 0, internalErrors: 0 };

  constructor(
    readonly cfg: ManagerConfig,
    private readonly services: LinkServices,
    private readonly hooks: ManagerHooks = { opened() {}, closed() {} },
  ) {
    super();
    this.clock = cfg.clock;
    this.open = new PeerSet(cfg.identity.nodeId);
    // The node secret keys the address tables and the group ranking of eviction, so
    // nobody can compute which addresses or groups would suit them (from the clock: src/
    // draws randomness nowhere else).
    const secret = cfg.clock.randomBytes(36);
    this.book = new AddrMan({ backoff: cfg.backoff, random: () => cfg.clock.random(), netgroup: cfg.netGroup, secret: secret.subarray(0, 32), unverifiedDialRate: cfg.unverifiedDialRate });
    if (cfg.peersFile) this.book.load(cfg.peersFile);
    this.police = new LinkPolice(cfg.peerScore, { clock: cfg.clock, log: cfg.log, shuns: this.shuns, book: this.book, selfId: cfg.identity.nodeId });
    this.slots = new InboundSlots({
      ...cfg,
      groupSecret: secret.readUInt32BE(32),
      describe: (c) => ({ lastUsefulAt: this.meta.get(c)?.lastUsefulAt ?? 0, preferEvict: this.police.scores.isPenalised(c.remoteId as string, this.clock.now()) }),
    });
    this.outbound = new OutboundLinks(cfg, this.book, this.shuns, {
      attach: (stream, host, port, role) => this.attach(stream, 'outbound', host, port, role),
      live: () => this.live,
      get: (id) => this.open.get(id),
      meta: (c) => this.meta.get(c),
      evict: (c, reason) => this.evict(c, reason),
    });
  }

  async listen(host: string, port: number): Promise<number> {
    this.listener = await this.cfg.transport.listen(host, port, (stream, remote) => this.accept(stream, remote.host, remote.port));
    this.listenPort = this.listener.port;
    return this.listenPort;
  }

  peers(): PeerConnection[] {
    return [...this.open.values()];
  }

  get(nodeId: string): PeerConnection | undefined {
    return this.open.get(nodeId);
  }

  get bytesQueued(): number {
    let n = 0;
    for (const c of this.live) n += c.bytesQueued;
    return n;
  }

  /** Dials and handshakes in flight: links that may still come up. */
  get connecting(): number {
    let n = this.outbound.size;
    for (const c of this.live) if (c.state === 'handshake') n++;
    return n;
  }

  liveConnections(): PeerConnection[] {
    return [...this.live];
  }

  /** Sends one pre-encoded frame to the open peer `nodeId`; false if none or it cannot take it. */
  sendTo(nodeId: string, frame: Buffer): boolean {
    return this.open.get(nodeId)?.sendFrame(frame) ?? false;
  }

  /** Open peers' node ids. */
  peerIds(): string[] {
    return [...this.open.values()].map((c) => c.remoteId as string);
  }

  /** Sends one pre-encoded frame to every open peer not in `except`; returns how many got it. */
  broadcast(frame: Buffer, except: ReadonlySet<string>): number {
    let sent = 0;
    for (const c of this.open.values()) if (!except.has(c.remoteId as string) && c.sendFrame(frame)) sent++;
    return sent;
  }

  /**
   * Runs the protocol over any duplex stream. The transport paths use it, and tests hand
   * it one end of an in-memory pair.
   */
  attach(stream: Duplex, direction: Direction, host: string, port: number, role: Role = 'regular'): PeerConnection {
    const opts: ConnectionOptions = {
      ...this.cfg,
      direction,
      host: normalizeHost(host),
      port,
      listenPort: this.listenPort,
      services: this.services,
      refuseId: (id) => (this.shuns.has(idKey(id), this.clock.now()) ? new ProtocolError(ErrorCode.SHUNNED, 'node id is shunned') : null),
    };
    const conn = new PeerConnection(stream, opts);
    this.meta.set(conn, { role: direction === 'inbound' ? 'inbound' : role, relay: new AddrRelayLimit(this.cfg.peersMessageRate, this.cfg.addrLearnRate), lastUsefulAt: 0 });
    this.live.add(conn);
    void conn.released.then(() => this.live.delete(conn));
    conn.on('open', () => this.onOpen(conn));
    conn.once('close', (info: CloseInfo) => this.onClose(conn, info));
    if (this.closing) conn.drop(ErrorCode.SHUTDOWN, 'node is closing');
    else conn.start();
    return conn;
  }

  /** Dials an address; resolves with the open connection to that node once the handshake completed. */
  dial(host: string, port: number): Promise<PeerConnection> {
    return this.outbound.dial(host, port);
  }

  /** Dials learned addresses until `targetOutbound` is met (see OutboundLinks). */
  maintain(): void {
    this.outbound.maintain();
  }

  /** What the exchange or the router observed of an event from `peerId` (see LinkPolice). */
  report(peerId: string, outcome: Outcome): ScoreVerdict {
    const conn = this.open.get(peerId);
    return this.police.report(peerId, outcome, conn, conn && this.meta.get(conn));
  }

  async close(abrupt = false): Promise<void> {
    this.closing = true;
    this.outbound.close();
    this.outbound.keepAnchors();
    const listenerClosed = this.listener ? this.listener.close() : Promise.resolve();
    for (const c of this.live) {
      if (abrupt) c.drop(ErrorCode.SHUTDOWN, 'node closed');
      // The goodbye is flushed, then the peer closes its side; the grace timer of
      // fail() destroys the stream of a peer that does not.
      else c.fail({ code: ErrorCode.SHUTDOWN, message: 'node is shutting down' });
    }
    await Promise.all([...this.live].map((c) => c.released));
    await listenerClosed;
    this.savePeers();
  }

  /** @internal A `peers` message (registry handler): remember what the link's limit lets in, dial if short. */
  onPeers(conn: PeerConnection, msg: PeersMsg): void {
    if (this.police.onPeers(conn, this.meta.get(conn) as LinkMeta, msg)) this.outbound.schedule(0);
  }

  private accept(stream: Duplex, remoteHost: string, remotePort: number): void {
    const host = normalizeHost(remoteHost);
    const conn = this.attach(stream, 'inbound', host, remotePort);
    if (conn.state === 'closed') return;
    if (!isLoopback(host) && this.shuns.has(ipKey(host), this.clock.now())) {
      conn.fail(new ProtocolError(ErrorCode.SHUNNED, 'address is shunned'));
      return;
    }
    const { refusal, evict } = this.slots.admit(conn, this.clock.now());
    evict?.fail(new ProtocolError(ErrorCode.TOO_MANY_PEERS, 'handshake pool is full: made room for a newcomer'));
    if (refusal) conn.fail(refusal);
  }

  private onOpen(conn: PeerConnection): void {
    const id = conn.remoteId as string;
    const now = this.clock.now();
    const meta = this.meta.get(conn) as LinkMeta;
    this.slots.release(conn);
    const addr = conn.listenAddress;
    // Only a link we dialled proves an address listens; an inbound peer's is a claim.
    if (conn.direction === 'outbound') this.book.succeeded(conn.opts.host, conn.opts.port, id, now);
    else if (addr) this.book.learn(addr.host, addr.port, id, conn.opts.host);
    if (meta.role === 'feeler') {
      conn.drop(ErrorCode.SHUTDOWN, 'feeler: the address works');
      return;
    }
    const existing = this.open.get(id);
    // hyperswarm's rule: a new link replaces an existing one that looks dead (the peer
    // restarted while we still hold its old, half-open link). A live peer pings every
    // interval, so silence for half an interval more than that means dead. Otherwise
    // the deterministic tie-break decides (peer-set.ts).
    if (existing && now - existing.lastReceivedAt > LOOKS_DEAD_FACTOR * this.cfg.pingIntervalMs) {
      existing.fail({ code: ErrorCode.IDLE_TIMEOUT, message: 'replaced by a new link from the same node' });
      this.open.delete(existing);
    }
    if (conn.direction === 'inbound' && !this.open.get(id) && !this.makeRoom(conn)) return;
    const loser = this.open.add(conn);
    if (loser) loser.fail({ code: ErrorCode.DUPLICATE_CONNECTION, message: 'already connected to this node' });
    if (loser === conn) return;
    this.announced.add(conn);
    this.cfg.log.info('peer.connected', { peer: id, addr: addr ? addrString(addr.host, addr.port) : conn.opts.host, direction: conn.direction });
    this.hooks.opened(conn);
    this.emit('peer', conn);
    conn.emit('registered');
    conn.send(peersMessage(this.open.values(), this.book, id));
    if (conn.direction !== 'outbound') return;
    this.outbound.opened(conn, meta);
    // Only outbound handshakes change what is saved (verified addresses, anchors): an
    // inbound newcomer, however many an attacker sends, writes nothing to disk.
    this.savePeers();
  }

  /** Inbound is full: evict who InboundSlots picks for `conn`, or refuse `conn`. False if refused. */
  private makeRoom(conn: PeerConnection): boolean {
    const inbound = [...this.open.values()].filter((c) => c.direction === 'inbound');
    const room = this.slots.makeRoom(conn, inbound);
    if (!room.ok) {
      conn.fail(room.refusal);
      return false;
    }
    if (room.evict) this.evict(room.evict, `inbound full: room for ${conn.remoteId?.slice(0, 8)}`);
    return true;
  }

  private evict(conn: PeerConnection, reason: string): void {
    this.cfg.log.info('peer.evicted', { peer: conn.remoteId ?? undefined, addr: addrString(conn.opts.host, conn.opts.port), direction: conn.direction, reason });
    conn.fail({ code: ErrorCode.TOO_MANY_PEERS, message: `evicted: ${reason}` });
  }

  private onClose(conn: PeerConnection, info: CloseInfo): void {
    this.retired.framesIn += conn.framesIn;
    this.retired.framesOut += conn.framesOut;
    this.retired.internalErrors += conn.internalErrors;
    this.slots.release(conn);
    const now = this.clock.now();
    if (info.misbehaved) this.shun(conn, info, now);
    if (conn.direction === 'outbound') this.outbound.closed(conn, info, this.meta.get(conn)?.role);
    this.open.delete(conn);
    if (this.announced.delete(conn)) {
      this.cfg.log.info('peer.disconnected', { peer: conn.remoteId, code: info.code, by: info.by, reason: info.message });
      this.hooks.closed(conn, info);
      this.emit('peer-closed', conn, info);
    } else if (!info.misbehaved && info.code !== ErrorCode.DUPLICATE_CONNECTION && info.code !== ErrorCode.SHUTDOWN) {
      this.cfg.log.info('peer.refused', { addr: addrString(conn.opts.host, conn.opts.port), code: info.code, by: info.by, reason: info.message });
    }
    this.outbound.schedule(0);
  }

  private shun(conn: PeerConnection, info: CloseInfo, now: number): void {
    for (const key of shunKeys(conn)) this.shuns.add(key, now + this.cfg.shunMs);
    this.cfg.log.warn('peer.misbehaved', {
      peer: conn.remoteId ?? undefined,
      addr: addrString(conn.opts.host, conn.opts.port),
      code: info.code,
      reason: info.message,
      shunnedMs: this.cfg.shunMs,
    });
  }

  private savePeers(): void {
    if (!this.cfg.peersFile) return;
    try {
      this.book.save(this.cfg.peersFile);
    } catch (err) {
      this.cfg.log.warn('peer.save-failed', { error: (err as Error).message });
    }
  }
}
