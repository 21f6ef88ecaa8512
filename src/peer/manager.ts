import { EventEmitter } from 'node:events';
import { createServer, Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Identity } from '../identity/identity';
import { Logger } from '../log/logger';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { Message } from '../wire/messages';
import { addrString, isLoopback, normalizeHost } from './address';
import { AddressBook, KnownPeer } from './address-book';
import { BackoffConfig } from './backoff';
import { CloseInfo, ConnectionOptions, Direction, PeerConnection, type LinkLimits } from './connection';
import { Dialer } from './dialer';
import { ConnectCode, ConnectError } from './errors';
import { learnPeers, peersMessage } from './peer-exchange';
import { PeerSet } from './peer-set';
import { addrKey, idKey, ipKey, shunKeys, ShunList } from './shun-list';

export interface ManagerConfig extends LinkLimits {
  identity: Identity;
  agent: string;
  targetOutbound: number;
  maxInbound: number;
  shunMs: number;
  backoff: BackoffConfig;
  now: () => number;
  random: () => number;
  log: Logger;
  /** Where known peers are saved; none = not persisted. */
  peersFile?: string;
}

/** Codes after which redialling the same address is pointless for now. */
const NO_REDIAL = new Set<string>([ErrorCode.DUPLICATE_CONNECTION, ErrorCode.SELF_CONNECTION]);

/**
 * Owns every connection: listens, dials, keeps `targetOutbound` outbound links, caps
 * inbound ones, exchanges addresses, redials with backoff, and shuns misbehaving peers.
 *
 * Events: 'peer' (conn) once per registered connection; 'peer-closed' (conn, info)
 * for each of those; 'message' (conn, msg) for event and sync messages.
 */
export class PeerManager extends EventEmitter {
  readonly book: AddressBook;
  readonly shuns = new ShunList();
  private readonly open: PeerSet;
  /** Connections the app was told about with 'peer' (and so must hear 'peer-closed' for). */
  private readonly announced = new Set<PeerConnection>();
  /** Every connection not yet released (handshaking, open, closing). */
  private readonly live = new Set<PeerConnection>();
  private readonly dialer: Dialer;
  private server: Server | null = null;
  private maintainTimer: NodeJS.Timeout | null = null;
  private maintainAt = Infinity;
  private closing = false;
  listenPort = 0;
  /** Frames counted on connections already gone, so node stats stay monotonic. */
  readonly retired = { framesIn: 0, framesOut: 0 };

  constructor(readonly cfg: ManagerConfig) {
    super();
    this.open = new PeerSet(cfg.identity.nodeId);
    this.book = new AddressBook(cfg.backoff, cfg.random);
    this.dialer = new Dialer(cfg.handshakeTimeoutMs);
    if (cfg.peersFile) this.book.load(cfg.peersFile);
  }

  listen(host: string, port: number): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.listenPort = (server.address() as { port: number }).port;
        resolve(this.listenPort);
      });
    });
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
   * Runs the protocol over any duplex stream. The TCP paths use it, and tests hand it
   * one end of an in-memory pair.
   */
  attach(stream: Duplex, direction: Direction, host: string, port: number): PeerConnection {
    const opts: ConnectionOptions = {
      ...this.cfg,
      direction,
      host: normalizeHost(host),
      port,
      listenPort: this.listenPort,
      refuseId: (id) => (this.shuns.has(idKey(id), this.cfg.now()) ? new ProtocolError(ErrorCode.SHUNNED, 'node id is shunned') : null),
    };
    const conn = new PeerConnection(stream, opts);
    this.live.add(conn);
    conn.released.then(() => this.live.delete(conn));
    conn.on('open', () => this.onOpen(conn));
    conn.on('message', (msg: Message) => this.onMessage(conn, msg));
    conn.once('close', (info: CloseInfo) => this.onClose(conn, info));
    if (this.closing) conn.drop(ErrorCode.SHUTDOWN, 'node is closing');
    else conn.start();
    return conn;
  }

  /** Dials an address; resolves with the open connection to that node once the handshake completed. */
  async dial(host: string, port: number): Promise<PeerConnection> {
    host = normalizeHost(host);
    const now = this.cfg.now();
    if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node is closed');
    if (this.shuns.has(addrKey(host, port), now) || (!isLoopback(host) && this.shuns.has(ipKey(host), now))) {
      throw new ConnectError(ErrorCode.SHUNNED, `${addrString(host, port)} is shunned`);
    }
    this.book.learn(host, port, null);
    let socket;
    try {
      socket = await this.dialer.connect(host, port);
    } catch (err) {
      if (this.closing) throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
      this.book.failed(host, port, this.cfg.now());
      this.scheduleMaintain(0);
      throw new ConnectError(ConnectCode.CONNECT_FAILED, `cannot connect to ${addrString(host, port)}: ${(err as Error).message}`);
    }
    const conn = this.attach(socket, 'outbound', host, port);
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
    const now = this.cfg.now();
    let outbound = this.dialer.size;
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
    if (this.maintainTimer) clearTimeout(this.maintainTimer);
    this.maintainTimer = null;
    this.dialer.cancelAll();
    const server = this.server;
    const serverClosed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const c of this.live) {
      if (abrupt) c.drop(ErrorCode.SHUTDOWN, 'node closed');
      // The goodbye is flushed, then the peer closes its side; the grace timer of
      // fail() destroys the stream of a peer that does not.
      else c.fail({ code: ErrorCode.SHUTDOWN, message: 'node is shutting down' });
    }
    await Promise.all([...this.live].map((c) => c.released));
    await serverClosed;
    this.savePeers();
  }

  /** Is this address connected, being dialled, shunned, or known to be a node we already have? */
  private busy(p: KnownPeer, now: number): boolean {
    if (this.dialer.isDialling(p.host, p.port)) return true;
    if (p.id && (p.id === this.cfg.identity.nodeId || this.open.get(p.id))) return true;
    if (this.shuns.has(addrKey(p.host, p.port), now) || (p.id && this.shuns.has(idKey(p.id), now))) return true;
    for (const c of this.live) {
      if (c.state === 'closed') continue;
      if (c.direction === 'outbound' && c.opts.host === p.host && c.opts.port === p.port) return true;
      if (c.direction === 'inbound' && c.opts.host === p.host && c.listenPort === p.port) return true;
    }
    return false;
  }

  private accept(socket: Socket): void {
    const host = normalizeHost(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    const conn = this.attach(socket, 'inbound', host, port);
    if (conn.state === 'closed') return;
    if (!isLoopback(host) && this.shuns.has(ipKey(host), this.cfg.now())) {
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
    if (addr) this.book.succeeded(addr.host, addr.port, id, this.cfg.now());
    const loser = this.open.add(conn);
    if (loser) loser.fail({ code: ErrorCode.DUPLICATE_CONNECTION, message: 'already connected to this node' });
    if (loser === conn) return;
    this.announced.add(conn);
    this.cfg.log.info('peer.connected', { peer: id, addr: addr ? addrString(addr.host, addr.port) : conn.opts.host, direction: conn.direction });
    this.emit('peer', conn);
    conn.emit('registered');
    conn.send(peersMessage(this.open.values(), this.book, id));
    this.savePeers();
  }

  private onMessage(conn: PeerConnection, msg: Message): void {
    if (msg.t !== 'peers') {
      this.emit('message', conn, msg);
      return;
    }
    learnPeers(msg, this.book, this.cfg.identity.nodeId);
    this.scheduleMaintain(0);
  }

  private onClose(conn: PeerConnection, info: CloseInfo): void {
    this.retired.framesIn += conn.framesIn;
    this.retired.framesOut += conn.framesOut;
    const now = this.cfg.now();
    if (info.misbehaved) this.shun(conn, info, now);
    if (info.code === ErrorCode.SELF_CONNECTION && conn.direction === 'outbound') this.book.markSelf(conn.opts.host, conn.opts.port);
    else if (conn.direction === 'outbound' && !NO_REDIAL.has(info.code)) this.book.failed(conn.opts.host, conn.opts.port, now);
    this.open.delete(conn);
    if (this.announced.delete(conn)) {
      this.cfg.log.info('peer.disconnected', { peer: conn.remoteId, code: info.code, by: info.by, reason: info.message });
      this.emit('peer-closed', conn, info);
    } else if (!info.misbehaved && info.code !== ErrorCode.DUPLICATE_CONNECTION && info.code !== ErrorCode.SHUTDOWN) {
      this.cfg.log.info('peer.refused', { addr: addrString(conn.opts.host, conn.opts.port), code: info.code, by: info.by, reason: info.message });
    }
    this.scheduleMaintain(0);
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
    const at = Date.now() + delayMs;
    if (this.maintainTimer && this.maintainAt <= at) return;
    if (this.maintainTimer) clearTimeout(this.maintainTimer);
    this.maintainAt = at;
    this.maintainTimer = setTimeout(() => {
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
