import { EventEmitter } from 'node:events';
import { createServer, Server, Socket, connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { Identity } from '../identity/identity';
import { Logger } from '../log/logger';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { MAX_PEERS_PER_MESSAGE, Message, PeersMsg } from '../wire/messages';
import { addrString, isDialable, isLoopback, normalizeHost } from './address';
import { AddressBook, KnownPeer } from './address-book';
import { BackoffConfig } from './backoff';
import { CloseInfo, ConnectionOptions, Direction, PeerConnection } from './connection';
import { ConnectCode, ConnectError } from './errors';
import { PeerSet } from './peer-set';
import { addrKey, idKey, ipKey, ShunList } from './shun-list';

export interface ManagerConfig {
  identity: Identity;
  agent: string;
  targetOutbound: number;
  maxInbound: number;
  handshakeTimeoutMs: number;
  maxClockSkewMs: number;
  maxFrameBytes: number;
  maxWriteBufferBytes: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
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
  /** Sockets of dials not yet connected, with the address each dials. */
  private readonly dialling = new Map<Socket, string>();
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
  dial(host: string, port: number): Promise<PeerConnection> {
    host = normalizeHost(host);
    const now = this.cfg.now();
    if (this.closing) return Promise.reject(new ConnectError(ConnectCode.CLOSED, 'node is closed'));
    if (this.shuns.has(addrKey(host, port), now) || (!isLoopback(host) && this.shuns.has(ipKey(host), now))) {
      return Promise.reject(new ConnectError(ErrorCode.SHUNNED, `${addrString(host, port)} is shunned`));
    }
    this.book.learn(host, port, null);
    const key = addrString(host, port);
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port });
      this.dialling.set(socket, key);
      let settled = false;
      const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), this.cfg.handshakeTimeoutMs);
      const failed = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('connect', connected);
        this.dialling.delete(socket);
        if (this.closing) return reject(new ConnectError(ConnectCode.CLOSED, 'node closed while connecting'));
        this.book.failed(host, port, this.cfg.now());
        this.scheduleMaintain(0);
        reject(new ConnectError(ConnectCode.CONNECT_FAILED, `cannot connect to ${key}: ${err?.message ?? 'closed'}`));
      };
      const onError = (err: Error) => failed(err);
      const onClose = () => failed();
      const connected = () => {
        settled = true;
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        this.dialling.delete(socket);
        const conn = this.attach(socket, 'outbound', host, port);
        conn.once('registered', (winner: PeerConnection) => resolve(winner));
        conn.once('close', (info: CloseInfo) => {
          const winner = conn.remoteId ? this.open.get(conn.remoteId) : undefined;
          if (winner && info.code === ErrorCode.DUPLICATE_CONNECTION) resolve(winner);
          else reject(new ConnectError(info.code, info.message));
        });
      };
      // A destroy() without an error (our close()) emits only 'close'.
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once('connect', connected);
    });
  }

  /** Dials learned addresses until `targetOutbound` is met; retries later when backed off. */
  maintain(): void {
    if (this.closing) return;
    const now = this.cfg.now();
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
    if (this.maintainTimer) clearTimeout(this.maintainTimer);
    this.maintainTimer = null;
    for (const s of this.dialling.keys()) s.destroy();
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
    const addr = addrString(p.host, p.port);
    for (const a of this.dialling.values()) if (a === addr) return true;
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

  /** Where this peer accepts connections: the address we tell others and redial. */
  private listenAddr(conn: PeerConnection): { host: string; port: number } | null {
    if (conn.direction === 'outbound') return { host: conn.opts.host, port: conn.opts.port };
    return conn.listenPort > 0 ? { host: conn.opts.host, port: conn.listenPort } : null;
  }

  private onOpen(conn: PeerConnection): void {
    const id = conn.remoteId as string;
    const addr = this.listenAddr(conn);
    if (addr) this.book.succeeded(addr.host, addr.port, id, this.cfg.now());
    const loser = this.open.add(conn);
    if (loser) loser.fail({ code: ErrorCode.DUPLICATE_CONNECTION, message: 'already connected to this node' });
    if (loser === conn) return;
    this.announced.add(conn);
    this.cfg.log.info('peer.connected', { peer: id, addr: addr ? addrString(addr.host, addr.port) : conn.opts.host, direction: conn.direction });
    this.emit('peer', conn);
    conn.emit('registered', conn);
    conn.send(this.peersFor(id));
    this.savePeers();
  }

  private peersFor(receiver: string): PeersMsg {
    const out: PeersMsg['peers'] = [];
    const seen = new Set<string>();
    const push = (id: string, host: string, port: number) => {
      const k = addrString(host, port);
      if (id === receiver || seen.has(k) || out.length >= MAX_PEERS_PER_MESSAGE) return;
      seen.add(k);
      out.push({ id: Buffer.from(id, 'hex'), host, port });
    };
    // Live links first: those addresses are known to work right now.
    for (const c of this.open.values()) {
      const a = this.listenAddr(c);
      if (a) push(c.remoteId as string, a.host, a.port);
    }
    for (const p of this.book.verified(MAX_PEERS_PER_MESSAGE, (p) => p.id === receiver)) push(p.id as string, p.host, p.port);
    return { t: 'peers', peers: out };
  }

  private onMessage(conn: PeerConnection, msg: Message): void {
    if (msg.t !== 'peers') {
      this.emit('message', conn, msg);
      return;
    }
    for (const p of msg.peers) {
      const id = Buffer.from(p.id).toString('hex');
      // Invalid addresses are skipped, not punished: the sender may just see more of the world.
      if (id === this.cfg.identity.nodeId || !isDialable(p.host, p.port)) continue;
      this.book.learn(normalizeHost(p.host), p.port, id);
    }
    this.scheduleMaintain(0);
  }

  private onClose(conn: PeerConnection, info: CloseInfo): void {
    this.retired.framesIn += conn.framesIn;
    this.retired.framesOut += conn.framesOut;
    const now = this.cfg.now();
    const addr = this.listenAddr(conn);
    if (info.misbehaved) this.shun(conn, addr, info, now);
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

  private shun(conn: PeerConnection, addr: { host: string; port: number } | null, info: CloseInfo, now: number): void {
    const until = now + this.cfg.shunMs;
    if (conn.remoteId) this.shuns.add(idKey(conn.remoteId), until);
    // An inbound peer's address is only trusted once its handshake proved who it is.
    if (addr && (conn.direction === 'outbound' || conn.remoteId)) this.shuns.add(addrKey(addr.host, addr.port), until);
    // Never a loopback IP: that would shun every local peer at once (Bitcoin Core's rule too).
    if (!isLoopback(conn.opts.host)) this.shuns.add(ipKey(conn.opts.host), until);
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
