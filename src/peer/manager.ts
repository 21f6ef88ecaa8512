import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock/clock';
import { Identity } from '../identity/identity';
import { Logger } from '../log/logger';
import type { Listener, Transport } from '../transport/transport';
import { ErrorCode, ProtocolError } from '../wire/errors';
import type { PeersMsg } from '../wire/messages';
import { addrString, isLoopback, normalizeHost } from './address';
import { AddressBook, KnownPeer } from './address-book';
import { BackoffConfig } from './backoff';
import { CloseInfo, ConnectionOptions, Direction, PeerConnection, type LinkLimits } from './connection';
import { ConnectCode, ConnectError } from './errors';
import { learnPeers, peersMessage } from './peer-exchange';
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
}

/** What the node learns from the manager about its links. */
export interface ManagerHooks {
  /** A link completed its handshake and won any duplicate tie-break. */
  opened(conn: PeerConnection): void;
  /** A link announced by `opened` is over. */
  closed(conn: PeerConnection, info: CloseInfo): void;
}

/** A link silent this many ping intervals looks dead (see onOpen). */
const LOOKS_DEAD_FACTOR = 1.5;

/** Codes after which redialling the same address is pointless for now. */
const NO_REDIAL = new Set<string>([ErrorCode.DUPLICATE_CONNECTION, ErrorCode.SELF_CONNECTION]);

/**
 * Owns every connection: listens, dials, keeps `targetOutbound` outbound links, caps
 * inbound ones, exchanges addresses, redials with backoff, and shuns misbehaving peers.
 * Runs on any Transport and any Clock.
 *
 * Events (for observers; the node itself is told through ManagerHooks): 'peer' (conn)
 * once per registered connection; 'peer-closed' (conn, info) for each of those.
 */
export class PeerManager extends EventEmitter {
  readonly book: AddressBook;
  readonly shuns = new ShunList();
  private readonly open: PeerSet;
  /** Connections the node was told about (and so must hear 'closed' for). */
  private readonly announced = new Set<PeerConnection>();
  /** Every connection not yet released (handshaking, open, closing). */
  private readonly live = new Set<PeerConnection>();
  /** TCP (or in-memory) connects in flight, by address: counted toward the outbound target. */
  private readonly dialling = new Map<string, AbortController>();
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
    this.book = new AddressBook(cfg.backoff, () => cfg.clock.random());
    if (cfg.peersFile) this.book.load(cfg.peersFile);
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
  attach(stream: Duplex, direction: Direction, host: string, port: number): PeerConnection {
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
    this.live.add(conn);
    void conn.released.then(() => this.live.delete(conn));
    conn.on('open', () => this.onOpen(conn));
    conn.once('close', (info: CloseInfo) => this.onClose(conn, info));
    if (this.closing) conn.drop(ErrorCode.SHUTDOWN, 'node is closing');
    else conn.start();
    return conn;
  }

  /** Dials an address; resolves with the open connection to that node once the handshake completed. */
  async dial(host: string, port: number): Promise<PeerConnection> {
    host = normalizeHost(host);
    const now = this.clock.now();
    if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node is closed');
    if (this.shuns.has(addrKey(host, port), now) || (!isLoopback(host) && this.shuns.has(ipKey(host), now))) {
      throw new ConnectError(ErrorCode.SHUNNED, `${addrString(host, port)} is shunned`);
    }
    this.book.learn(host, port, null);
    const addr = addrString(host, port);
    const abort = new AbortController();
    this.dialling.set(addr, abort);
    let stream: Duplex;
    try {
      stream = await this.cfg.transport.connect(host, port, { timeoutMs: this.cfg.handshakeTimeoutMs, signal: abort.signal });
    } catch (err) {
      if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
      this.book.failed(host, port, this.clock.now());
      this.scheduleMaintain(0);
      throw new ConnectError(ConnectCode.CONNECT_FAILED, `cannot connect to ${addr}: ${(err as Error).message}`);
    } finally {
      if (this.dialling.get(addr) === abort) this.dialling.delete(addr);
    }
    if (this.closing) {
      stream.destroy();
      throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
    }
    const conn = this.attach(stream, 'outbound', host, port);
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

  /** Dials learned addresses until `targetOutbound` is met; retries later when backed off. */
  maintain(): void {
    if (this.closing) return;
    const now = this.clock.now();
    let outbound = this.dialling.size;
    for (const c of this.live) if (c.direction === 'outbound' && c.state !== 'closed') outbound++;
    if (outbound >= this.cfg.targetOutbound) return;
    const skip = (p: KnownPeer) => this.busy(p, now);
    for (const p of this.book.candidates(now, skip)) {
      if (outbound >= this.cfg.targetOutbound) return;
      outbound++;
      this.dial(p.host, p.port).catch((err: ConnectError) => {
        this.cfg.log.info('peer.dial-failed', { addr: addrString(p.host, p.port), code: err.code });
      });
    }
    const next = this.book.nextAttemptAt(skip);
    if (next !== null && next > now) this.scheduleMaintain(next - now);
  }

  async close(abrupt = false): Promise<void> {
    this.closing = true;
    this.clock.clearTimeout(this.maintainTimer);
    this.maintainTimer = null;
    for (const a of this.dialling.values()) a.abort();
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

  /** @internal A `peers` message (registry handler): remember what is usable, dial if short. */
  onPeers(_conn: PeerConnection, msg: PeersMsg): void {
    learnPeers(msg, this.book, this.cfg.identity.nodeId);
    this.scheduleMaintain(0);
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

  private accept(stream: Duplex, remoteHost: string, remotePort: number): void {
    const host = normalizeHost(remoteHost);
    const conn = this.attach(stream, 'inbound', host, remotePort);
    if (conn.state === 'closed') return;
    if (!isLoopback(host) && this.shuns.has(ipKey(host), this.clock.now())) {
      conn.fail(new ProtocolError(ErrorCode.SHUNNED, 'address is shunned'));
      return;
    }
    let inbound = 0;
    for (const c of this.live) if (c.direction === 'inbound' && c.state !== 'closed') inbound++;
    // Handshaking connections count too: they hold memory just the same.
    if (inbound > this.cfg.maxInbound) conn.fail(new ProtocolError(ErrorCode.TOO_MANY_PEERS, `at most ${this.cfg.maxInbound} inbound peers`));
  }

  private onOpen(conn: PeerConnection): void {
    const id = conn.remoteId as string;
    const addr = conn.listenAddress;
    if (addr) this.book.succeeded(addr.host, addr.port, id, this.clock.now());
    const existing = this.open.get(id);
    // hyperswarm's rule: a new link replaces an existing one that looks dead (the peer
    // restarted while we still hold its old, half-open link). A live peer pings every
    // interval, so silence for half an interval more than that means dead. Otherwise
    // the deterministic tie-break decides (peer-set.ts).
    if (existing && this.clock.now() - existing.lastReceivedAt > LOOKS_DEAD_FACTOR * this.cfg.pingIntervalMs) {
      existing.fail({ code: ErrorCode.IDLE_TIMEOUT, message: 'replaced by a new link from the same node' });
      this.open.delete(existing);
    }
    const loser = this.open.add(conn);
    if (loser) loser.fail({ code: ErrorCode.DUPLICATE_CONNECTION, message: 'already connected to this node' });
    if (loser === conn) return;
    this.announced.add(conn);
    this.cfg.log.info('peer.connected', { peer: id, addr: addr ? addrString(addr.host, addr.port) : conn.opts.host, direction: conn.direction });
    this.hooks.opened(conn);
    this.emit('peer', conn);
    conn.emit('registered');
    conn.send(peersMessage(this.open.values(), this.book, id));
    this.savePeers();
  }

  private onClose(conn: PeerConnection, info: CloseInfo): void {
    this.retired.framesIn += conn.framesIn;
    this.retired.framesOut += conn.framesOut;
    this.retired.internalErrors += conn.internalErrors;
    const now = this.clock.now();
    if (info.misbehaved) this.shun(conn, info, now);
    if (info.code === ErrorCode.SELF_CONNECTION && conn.direction === 'outbound') this.book.markSelf(conn.opts.host, conn.opts.port);
    else if (conn.direction === 'outbound' && this.shouldBackOff(conn, info)) this.book.failed(conn.opts.host, conn.opts.port, now);
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

  private savePeers(): void {
    if (!this.cfg.peersFile) return;
    try {
      this.book.save(this.cfg.peersFile);
    } catch (err) {
      this.cfg.log.warn('peer.save-failed', { error: (err as Error).message });
    }
  }
}
