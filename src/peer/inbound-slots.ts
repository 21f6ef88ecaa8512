/**
 * Who gets an inbound slot (issue 11's slot attacks). Two separate budgets:
 *
 * - handshakes in progress sit in a HandshakePool: a socket that says hello and never
 *   authenticates holds a pool slot, never a peer slot, and a full pool makes room by
 *   closing a pending handshake of its most crowded network group;
 * - established inbound peers: at `maxInbound`, a newcomer whose handshake completed
 *   evicts the peer selectEvictionCandidate picks (Bitcoin Core's rules: protect
 *   distinct groups, fast pingers, recently useful and long-connected peers), and is
 *   refused only when every one of them is protected.
 *
 * The manager calls admit() on accept, release() when a handshake ends either way, and
 * makeRoom() when an inbound handshake completes; it does the closing.
 */
import { ErrorCode, ProtocolError } from '../wire/errors';
import type { PeerConnection } from './connection';
import { selectEvictionCandidate, type EvictionCandidate } from './eviction';
import { HandshakePool } from './handshake-pool';
import { groupKey, type NetGroupFn } from './netgroup';

export interface InboundSlotsConfig {
  maxInbound: number;
  maxHandshakes: number;
  maxHandshakesPerAddress: number;
  netGroup: NetGroupFn;
  /** Keys the ranking of groups in eviction, so nobody can pick groups that rank high. */
  groupSecret: number;
  /** What the manager knows of an inbound peer beyond its connection: last useful event (ms, 0 = never), negative score. */
  describe(conn: PeerConnection): { lastUsefulAt: number; preferEvict: boolean };
}

export type Room = { ok: true; evict: PeerConnection | null } | { ok: false; refusal: ProtocolError };

export class InboundSlots {
  readonly counts = {
    /** Established inbound peers closed to make room for a newcomer. */
    evicted: 0,
    /** Newcomers refused because inbound was full and nobody was evictable. */
    refusedFull: 0,
    /** Pending handshakes closed to make room in the pool, plus newcomers refused for their address's share. */
    handshakePoolFull: 0,
  };
  private readonly pool: HandshakePool;
  private readonly pending = new Map<number, PeerConnection>();
  private readonly tokens = new Map<PeerConnection, number>();

  constructor(private readonly cfg: InboundSlotsConfig) {
    this.pool = new HandshakePool({ max: cfg.maxHandshakes, perAddress: cfg.maxHandshakesPerAddress, netgroup: cfg.netGroup });
  }

  /** Handshakes in progress on inbound connections. */
  get handshaking(): number {
    return this.pool.size;
  }

  /**
   * An inbound connection starts its handshake. Returns the refusal to close it with
   * (its address has its share in progress), else null; `evict` is the pending
   * handshake to close to make room for it.
   */
  admit(conn: PeerConnection, now: number): { refusal: ProtocolError | null; evict: PeerConnection | null } {
    const a = this.pool.admit(conn.opts.host, conn.opts.port, now);
    if (!a.ok) {
      this.counts.handshakePoolFull++;
      return { refusal: new ProtocolError(ErrorCode.TOO_MANY_PEERS, 'too many handshakes in progress from this address'), evict: null };
    }
    this.pending.set(a.token, conn);
    this.tokens.set(conn, a.token);
    let evict: PeerConnection | null = null;
    if (a.evict !== null) {
      this.counts.handshakePoolFull++;
      evict = this.pending.get(a.evict) ?? null;
      this.forget(a.evict);
    }
    return { refusal: null, evict };
  }

  /** The handshake of `conn` ended: completed, failed, timed out or closed. Idempotent. */
  release(conn: PeerConnection): void {
    const token = this.tokens.get(conn);
    if (token === undefined) return;
    this.pool.release(token);
    this.forget(token);
  }

  /**
   * Inbound `newcomer` completed its handshake while `established` inbound peers are
   * registered: there is room, or `evict` must go first, or the newcomer is refused.
   */
  makeRoom(newcomer: PeerConnection, established: readonly PeerConnection[]): Room {
    if (established.length < this.cfg.maxInbound) return { ok: true, evict: null };
    const byId = new Map(established.map((c) => [c.remoteId as string, c]));
    const victim = selectEvictionCandidate(established.map((c) => this.candidate(c)));
    const conn = victim === null ? undefined : byId.get(victim);
    if (conn === undefined) {
      this.counts.refusedFull++;
      return { ok: false, refusal: new ProtocolError(ErrorCode.TOO_MANY_PEERS, `inbound is full (${this.cfg.maxInbound}) and every peer is protected`) };
    }
    this.counts.evicted++;
    return { ok: true, evict: conn };
  }

  private candidate(c: PeerConnection): EvictionCandidate {
    const group = this.cfg.netGroup(c.opts.host);
    const { lastUsefulAt, preferEvict } = this.cfg.describe(c);
    return {
      id: c.remoteId as string,
      netgroup: group,
      keyedNetGroup: groupKey(group, this.cfg.groupSecret),
      connectedAt: c.connectedAt,
      minPingMs: c.minPingMs,
      lastUsefulEventAt: lastUsefulAt,
      preferEvict,
    };
  }

  private forget(token: number): void {
    const conn = this.pending.get(token);
    this.pending.delete(token);
    if (conn !== undefined && this.tokens.get(conn) === token) this.tokens.delete(conn);
  }
}
