/**
 * Our side of the outbound links: dials in flight, the maintain loop that keeps
 * `targetOutbound` (OutboundPlanner over AddrMan), swaps and feelers, backoff after a
 * lost link, and the anchors saved for the next start. The manager owns the
 * connections; this decides which to open and when.
 */
import type { Duplex } from 'node:stream';
import type { TimerHandle } from '../clock/clock';
import { ErrorCode } from '../wire/errors';
import { addrString, isLoopback, normalizeHost } from './address';
import type { AddrMan, KnownPeer } from './addrman';
import type { CloseInfo, PeerConnection } from './connection';
import { ConnectCode, ConnectError } from './errors';
import type { LinkMeta, ManagerConfig, Role } from './manager-config';
import { OutboundPlanner, type OutboundLink } from './outbound-planner';
import { addrKey, idKey, ipKey, type ShunList } from './shun-list';

/** Codes after which redialling the same address is pointless for now. */
const NO_REDIAL = new Set<string>([ErrorCode.DUPLICATE_CONNECTION, ErrorCode.SELF_CONNECTION]);

/** What OutboundLinks needs of the manager. */
export interface OutboundHost {
  attach(stream: Duplex, host: string, port: number, role: Role): PeerConnection;
  live(): Iterable<PeerConnection>;
  get(nodeId: string): PeerConnection | undefined;
  meta(conn: PeerConnection): LinkMeta | undefined;
  evict(conn: PeerConnection, reason: string): void;
}

type Link = OutboundLink & { conn?: PeerConnection };

export class OutboundLinks {
  readonly planner: OutboundPlanner;
  /** TCP (or in-memory) connects in flight, by address: counted toward the target (feelers aside). */
  private readonly dialling = new Map<string, { abort: AbortController; host: string; port: number; role: Role }>();
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private closing = false;

  constructor(
    private readonly cfg: ManagerConfig,
    private readonly book: AddrMan,
    private readonly shuns: ShunList,
    private readonly host: OutboundHost,
  ) {
    this.planner = new OutboundPlanner(cfg, book, cfg.clock.now());
  }

  /** Dials in flight. */
  get size(): number {
    return this.dialling.size;
  }

  /** Dials an address; resolves with the open connection to that node once the handshake completed. */
  async dial(host: string, port: number, role: Role = 'regular'): Promise<PeerConnection> {
    host = normalizeHost(host);
    const now = this.cfg.clock.now();
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
      this.book.failed(host, port, this.cfg.clock.now());
      this.schedule(0);
      throw new ConnectError(ConnectCode.CONNECT_FAILED, `cannot connect to ${addr}: ${(err as Error).message}`);
    } finally {
      if (this.dialling.get(addr)?.abort === abort) this.dialling.delete(addr);
    }
    if (this.closing) {
      stream.destroy();
      throw new ConnectError(ConnectCode.CLOSED, 'node closed while connecting');
    }
    const conn = this.host.attach(stream, host, port, role);
    return new Promise((resolve, reject) => {
      conn.once('registered', () => resolve(conn));
      conn.once('close', (info: CloseInfo) => {
        // Lost the tie-break to a link that already exists: that link is the answer.
        const winner = conn.remoteId ? this.host.get(conn.remoteId) : undefined;
        if (winner && info.code === ErrorCode.DUPLICATE_CONNECTION) resolve(winner);
        else reject(new ConnectError(info.code, info.message));
      });
    });
  }

  /** Makes the dials the planner asks for; plans again when something may have changed. */
  maintain(): void {
    if (this.closing) return;
    const now = this.cfg.clock.now();
    const plan = this.planner.plan(now, this.links(), (p) => this.busy(p, now));
    for (const p of plan.dials) this.dialQuietly(p, 'regular');
    if (plan.swap) this.dialQuietly(plan.swap, 'swap');
    if (plan.feeler) this.dialQuietly(plan.feeler, 'feeler');
    if (plan.wakeAt !== null) this.schedule(plan.wakeAt - now);
  }

  /** Runs maintain() in `delayMs` (or sooner, if already due sooner). */
  schedule(delayMs: number): void {
    if (this.closing) return;
    const at = this.cfg.clock.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    this.cfg.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.cfg.clock.setTimeout(() => {
      this.timer = null;
      this.maintain();
    }, delayMs);
  }

  /** An outbound link of ours was registered: a swap pushes out a link of the crowded group; anchors follow the oldest links. */
  opened(conn: PeerConnection, meta: LinkMeta): void {
    if (meta.role === 'swap') {
      meta.role = 'regular';
      const links = this.links();
      const victim = this.planner.replace(links.find((l) => l.conn === conn) as Link, links) as Link | null;
      if (victim?.conn) this.host.evict(victim.conn, `outbound group crowded: room for ${conn.remoteId?.slice(0, 8)}`);
    }
    this.keepAnchors();
  }

  /**
   * An outbound link of ours closed. A lost link backs its address off before the next
   * dial — except a duplicate we resolved ourselves (we still hold the winner). A
   * duplicate the peer declared while we hold no link to it means the peer still holds
   * an old link of ours (we restarted, it has not noticed yet): back off, or we would
   * redial in a tight loop.
   */
  closed(conn: PeerConnection, info: CloseInfo, role: LinkMeta['role'] | undefined): void {
    const { host, port } = conn.opts;
    // A link that lived a whole ping interval worked: its address starts over.
    const now = this.cfg.clock.now();
    if (conn.connectedAt > 0 && now - conn.connectedAt >= this.cfg.pingIntervalMs) this.book.settled(host, port);
    if (info.code === ErrorCode.SELF_CONNECTION) this.book.markSelf(host, port);
    else if (role === 'feeler') return;
    else if (!NO_REDIAL.has(info.code)) this.book.failed(host, port, this.cfg.clock.now());
    else if (info.code === ErrorCode.DUPLICATE_CONNECTION && info.by === 'remote' && !this.holdsOther(conn)) {
      this.book.failed(host, port, this.cfg.clock.now());
    }
  }

  /**
   * Do we hold another link to this connection's node? The closing link itself may still
   * be registered when we are told (the peer refused it after our handshake completed):
   * it does not count, or a restarted node would redial in a tight loop.
   */
  private holdsOther(conn: PeerConnection): boolean {
    const held = conn.remoteId === null ? undefined : this.host.get(conn.remoteId);
    return held !== undefined && held !== conn;
  }

  /** Our longest-lived outbound links become the anchors the next start dials first. */
  keepAnchors(): void {
    const outbound = [...this.host.live()].filter((c) => c.direction === 'outbound' && c.state === 'open' && this.host.get(c.remoteId as string) === c);
    outbound.sort((a, b) => a.connectedAt - b.connectedAt);
    this.book.setAnchors(outbound.map((c) => ({ host: c.opts.host, port: c.opts.port })));
  }

  /** Stops dialling: aborts dials in flight and the maintain timer. */
  close(): void {
    this.closing = true;
    this.cfg.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const d of this.dialling.values()) d.abort.abort();
  }

  /** Is this address connected, being dialled, shunned, or known to be a node we already have? */
  private busy(p: KnownPeer, now: number): boolean {
    if (this.dialling.has(addrString(p.host, p.port))) return true;
    if (p.id && (p.id === this.cfg.identity.nodeId || this.host.get(p.id))) return true;
    if (this.shuns.has(addrKey(p.host, p.port), now) || (p.id && this.shuns.has(idKey(p.id), now))) return true;
    for (const c of this.host.live()) {
      if (c.state === 'closed') continue;
      if (c.direction === 'outbound' && c.opts.host === p.host && c.opts.port === p.port) return true;
      if (c.direction === 'inbound' && c.opts.host === p.host && c.listenPort === p.port) return true;
    }
    return false;
  }

  /** Our outbound links for the planner: dials in flight and live links, feelers aside. */
  private links(): Link[] {
    const links: Link[] = [];
    for (const d of this.dialling.values()) if (d.role !== 'feeler') links.push({ host: d.host, port: d.port, connectedAt: null, swap: d.role === 'swap' });
    for (const c of this.host.live()) {
      const role = this.host.meta(c)?.role;
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
}
