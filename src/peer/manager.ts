import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock/clock';
import { Identity } from '../identity/identity';
import { DEFAULT_SCORE_POLICY, type ScorePolicy } from '../limits/peer-score';
import type { RateSpec } from '../limits/token-bucket';
import { Logger } from '../log/logger';
import type { Listener, Transport } from '../transport/transport';
import { ErrorCode, ProtocolError } from '../wire/errors';
import type { PeersMsg } from '../wire/messages';
import { addrString, isLoopback, normalizeHost } from './address';
import { AddrRelayLimit } from './addr-relay';
import { AddrMan, KnownPeer } from './addrman';
import { BackoffConfig } from './backoff';
import { CloseInfo, ConnectionOptions, Direction, PeerConnection, type LinkLimits } from './connection';
import { ConnectCode, ConnectError } from './errors';
import { InboundSlots } from './inbound-slots';
import { LinkScores, type Outcome, type ScoreVerdict } from './link-scores';
import type { NetGroupFn } from './netgroup';
import { OutboundPlanner, type OutboundLink } from './outbound-planner';
import { peersMessage, receivePeers } from './peer-exchange';
import { PeerSet } from './peer-set';
import type { LinkServices } from './protocol';
import { addrKey, idKey, ipKey, shunKeys, ShunList } from './shun-list';

export interface ManagerConfig extends LinkLimits {
  identity: Identity;
  agent: string;
  targetOutbound: number;
  maxInbound: number;
  shunMs: number;
  backoff: BackoffConfig;
  clock: Clock;
  transport: Transport;
  log: Logger;
  /** Where known peers are saved; none = not persisted. */
  peersFile?: string;
  netGroup: NetGroupFn;
  maxHandshakes: number;
  maxHandshakesPerAddress: number;
  unverifiedDialRate: RateSpec;
  peersMessageRate: RateSpec;
  addrLearnRate: RateSpec;
  feelerIntervalMs: number;
  peerScore: Partial<ScorePolicy>;
}

/** What the node learns from the manager about its links. */
export interface ManagerHooks {
  /** A link completed its handshake and won any duplicate tie-break. */
  opened(conn: PeerConnection): void;
  /** A link announced by `opened` is over. */
  closed(conn: PeerConnection, info: CloseInfo): void;
}

/** Why we dialled: to keep the outbound target, to replace a link of a crowded group, or to test an address. */
type Role = 'regular' | 'swap' | 'feeler';

interface LinkMeta {
  role: Role | 'inbound';
  relay: AddrRelayLimit;
  /** Last time it delivered an event new to us and valid (ms), 0 if never: eviction protects recent ones. */
  lastUsefulAt: number;
}

/** A link silent this many ping intervals looks dead (see onOpen). */
const LOOKS_DEAD_FACTOR = 1.5;

/** Codes after which redialling the same address is pointless for now. */
const NO_REDIAL = new Set<string>([ErrorCode.DUPLICATE_CONNECTION, ErrorCode.SELF_CONNECTION]);

/**
 * Owns every connection: listens, dials (OutboundPlanner over AddrMan), admits inbound
 * ones (InboundSlots), exchanges addresses within each link's AddrRelayLimit, scores
 * links (LinkScores), redials with backoff, and shuns misbehaving peers. Runs on any
 * Transport and any Clock.
 *
 * Events (for observers; the node itself is told through ManagerHooks): 'peer' (conn)
 * once per registered connection; 'peer-closed' (conn, info) for each of those.
 */
export class PeerManager extends EventEmitter {
  readonly book: AddrMan;
  readonly shuns = new ShunList();
  readonly slots: InboundSlots;
  readonly planner: OutboundPlanner;
  readonly scores: LinkScores;
  /** `peers` entries not read: over a link's message rate or its address rate. */
  addrRelayDropped = 0;
  private readonly open: PeerSet;
  /** Connections the node was told about (and so must hear 'closed' for). */
  private readonly announced = new Set<PeerConnection>();
  /** Every connection not yet released (handshaking, open, closing). */
  private readonly live = new Set<PeerConnection>();
  private readonly meta = new WeakMap<PeerConnection, LinkMeta>();
  /** TCP (or in-memory) connects in flight, by address: counted toward the outbound target (feelers aside). */
  private readonly dialling = new Map<string, { abort: AbortController; host: string; port: number; role: Role }>();
  private listener: Listener | null = null;
  private maintainTimer: TimerHandle | null = null;
  private maintainAt = Infinity;
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
    this.scores = new LinkScores({ ...DEFAULT_SCORE_POLICY, ...cfg.peerScore });
    this.slots = new InboundSlots({
      ...cfg,
      groupSecret: secret.readUInt32BE(32),
      describe: (c) => ({ lastUsefulAt: this.meta.get(c)?.lastUsefulAt ?? 0, preferEvict: this.scores.isPenalised(c.remoteId as string, this.clock.now()) }),
    });
    this.planner = new OutboundPlanner(cfg, this.book, cfg.clock.now());
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
    let n = this.dialling.size;
    for (const c of this.live) if (c.state === 'handshake') n++;
    return n;
  }

  liveConnections(): PeerConnection[] {
    return [...this.live];
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
  async dial(host: string, port: number, role: Role = 'regular'): Promise<PeerConnection> {
    host = normalizeHost(host);
    const now = this.clock.now();
    if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node is closed');
    if (this.shuns.has(addrKey(host, port), now) || (!isLoopback(host) && this.shuns.has(ipKey(host), now))) {
      throw new ConnectError(ErrorCode.SHUNNED, `${addrString(host, port)} is shunned`);
    }
    this.book.learn(host, port, null);
    const addr = addrString(host, port);
    const abort = new AbortController();
    this.dialling.set(addr, { abort, host, port, role });
    let stream: Duplex;
    try {
      stream = await this.cfg.transport.connect(host, port, { timeoutMs: this.cfg.handshakeTimeoutMs, signal: abort.signal });
    } catch (err) {
      if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
      this.book.failed(host, port, this.clock.now());
      this.scheduleMaintain(0);
      throw new ConnectError(ConnectCode.CONNECT_FAILED, `cannot connect to ${addr}: ${(err as Error).message}`);
    } finally {
      if (this.dialling.get(addr)?.abort === abort) this.dialling.delete(addr);
    }
    if (this.closing) {
      stream.destroy();
      throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
    }
    const conn = this.attach(stream, 'outbound', host, port, role);
    return new Promise((resolve, reject) => {
      conn.once('registered', () => resolve(conn));
      conn.once('close', (info: CloseInfo) => {
        // Lost the tie-break to a link that already exists: that link is the answer.
        const winner = conn.remoteId ? this.open.get(conn.remoteId) : undefined;
        if (winner && info.code === ErrorCode.DUPLICATE_CONNECTION) resolve(winner);
        else reject(new ConnectError(info.code, info.message));
      });
    });
  }

  /** Makes the dials the planner asks for; plans again when something may have changed. */
  maintain(): void {
    if (this.closing) return;
    const now = this.clock.now();
    const plan = this.planner.plan(now, this.outboundLinks(), (p) => this.busy(p, now));
    for (const p of plan.dials) this.dialQuietly(p, 'regular');
    if (plan.swap) this.dialQuietly(plan.swap, 'swap');
    if (plan.feeler) this.dialQuietly(plan.feeler, 'feeler');
    if (plan.wakeAt !== null) this.scheduleMaintain(plan.wakeAt - now);
  }

  /**
   * What the exchange or the router observed of a link's events (or we of its `peers`
   * messages). A link whose score sinks below the drop threshold is closed and its id,
   * listen address and (not loopback) IP shunned for the ban LinkScores gives.
   */
  report(peerId: string, outcome: Outcome): ScoreVerdict {
    const now = this.clock.now();
    const conn = this.open.get(peerId);
    const meta = conn && this.meta.get(conn);
    if (meta && outcome === 'useful') meta.lastUsefulAt = now;
    const v = this.scores.report(peerId, outcome, now);
    if (v.action === 'throttled') this.cfg.log.warn('peer.throttled', { peer: peerId, reason: outcome, score: Math.round(v.score) });
    if (v.action !== 'drop') return v;
    const until = now + (v.banMs as number);
    this.shuns.add(idKey(peerId), until);
    if (conn) for (const key of shunKeys(conn)) this.shuns.add(key, until);
    this.cfg.log.warn('peer.banned', { peer: peerId, addr: conn ? addrString(conn.opts.host, conn.opts.port) : undefined, reason: outcome, score: Math.round(v.score), bannedMs: v.banMs });
    conn?.fail(new ProtocolError(ErrorCode.SHUNNED, `score below ${this.scores.policy.dropBelow} (${outcome}): banned for ${v.banMs} ms`));
    return v;
  }

  async close(abrupt = false): Promise<void> {
    this.closing = true;
    this.clock.clearTimeout(this.maintainTimer);
    this.maintainTimer = null;
    for (const d of this.dialling.values()) d.abort.abort();
    this.keepAnchors();
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
    const meta = this.meta.get(conn) as LinkMeta;
    const receipt = receivePeers(msg, meta.relay, this.book, this.cfg.identity.nodeId, conn.opts.host, this.clock.now());
    this.addrRelayDropped += receipt.ignored;
    if (!receipt.accepted) this.report(conn.remoteId as string, 'peers-flood');
    else this.scheduleMaintain(0);
  }

  /** Is this address connected, being dialled, shunned, or known to be a node we already have? */
  private busy(p: KnownPeer, now: number): boolean {
    if (this.dialling.has(addrString(p.host, p.port))) return true;
    if (p.id && (p.id === this.cfg.identity.nodeId || this.open.get(p.id))) return true;
    if (this.shuns.has(addrKey(p.host, p.port), now) || (p.id && this.shuns.has(idKey(p.id), now))) return true;
    for (const c of this.live) {
      if (c.state === 'closed') continue;
      if (c.direction === 'outbound' && c.opts.host === p.host && c.opts.port === p.port) return true;
      if (c.direction === 'inbound' && c.opts.host === p.host && c.listenPort === p.port) return true;
    }
    return false;
  }

  /** Our outbound links for the planner: dials in flight and live links, feelers aside. */
  private outboundLinks(): Array<OutboundLink & { conn?: PeerConnection }> {
    const links: Array<OutboundLink & { conn?: PeerConnection }> = [];
    for (const d of this.dialling.values()) if (d.role !== 'feeler') links.push({ host: d.host, port: d.port, connectedAt: null, swap: d.role === 'swap' });
    for (const c of this.live) {
      const role = this.meta.get(c)?.role;
      if (c.direction !== 'outbound' || c.state === 'closed' || role === 'feeler') continue;
      links.push({ host: c.opts.host, port: c.opts.port, connectedAt: c.state === 'open' ? c.connectedAt : null, swap: role === 'swap', conn: c });
    }
    return links;
  }

  private dialQuietly(p: KnownPeer, role: Role): void {
    this.dial(p.host, p.port, role).catch((err: ConnectError) => {
      this.cfg.log.info('peer.dial-failed', { addr: addrString(p.host, p.port), code: err.code, ...(role === 'regular' ? {} : { role }) });
    });
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
    if (meta.role === 'swap') this.swapIn(conn, meta);
    if (conn.direction === 'outbound') this.keepAnchors();
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

  /** The swap link `conn` is up: the youngest link of the most crowded outbound group makes way. */
  private swapIn(conn: PeerConnection, meta: LinkMeta): void {
    meta.role = 'regular';
    const links = this.outboundLinks();
    const victim = this.planner.replace(links.find((l) => l.conn === conn) as OutboundLink, links) as (OutboundLink & { conn?: PeerConnection }) | null;
    if (victim?.conn) this.evict(victim.conn, `outbound group crowded: room for ${conn.remoteId?.slice(0, 8)}`);
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
    if (info.code === ErrorCode.SELF_CONNECTION && conn.direction === 'outbound') this.book.markSelf(conn.opts.host, conn.opts.port);
    else if (conn.direction === 'outbound' && this.meta.get(conn)?.role !== 'feeler' && this.shouldBackOff(conn, info)) this.book.failed(conn.opts.host, conn.opts.port, now);
    this.open.delete(conn);
    if (this.announced.delete(conn)) {
      this.cfg.log.info('peer.disconnected', { peer: conn.remoteId, code: info.code, by: info.by, reason: info.message });
      this.hooks.closed(conn, info);
      this.emit('peer-closed', conn, info);
    } else if (!info.misbehaved && info.code !== ErrorCode.DUPLICATE_CONNECTION && info.code !== ErrorCode.SHUTDOWN) {
      this.cfg.log.info('peer.refused', { addr: addrString(conn.opts.host, conn.opts.port), code: info.code, by: info.by, reason: info.message });
    }
    this.scheduleMaintain(0);
  }

  /**
   * A lost outbound link backs its address off before the next dial — except a
   * duplicate we resolved ourselves (we still hold the winner). A duplicate the peer
   * declared while we hold no link to it means the peer still holds an old link of ours
   * (we restarted, it has not noticed yet): back off, or we would redial in a tight loop.
   */
  private shouldBackOff(conn: PeerConnection, info: CloseInfo): boolean {
    if (!NO_REDIAL.has(info.code)) return true;
    return info.code === ErrorCode.DUPLICATE_CONNECTION && info.by === 'remote' && (conn.remoteId === null || this.open.get(conn.remoteId) === undefined);
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

  private scheduleMaintain(delayMs: number): void {
    if (this.closing) return;
    const at = this.clock.now() + delayMs;
    if (this.maintainTimer && this.maintainAt <= at) return;
    this.clock.clearTimeout(this.maintainTimer);
    this.maintainAt = at;
    this.maintainTimer = this.clock.setTimeout(() => {
      this.maintainTimer = null;
      this.maintain();
    }, delayMs);
  }

  /** Our longest-lived outbound links become the anchors the next start dials first. */
  private keepAnchors(): void {
    const outbound = [...this.open.values()].filter((c) => c.direction === 'outbound').sort((a, b) => a.connectedAt - b.connectedAt);
    this.book.setAnchors(outbound.map((c) => ({ host: c.opts.host, port: c.opts.port })));
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
