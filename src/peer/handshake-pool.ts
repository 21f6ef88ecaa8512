/**
 * Accounting for connections whose handshake is still in progress, kept apart from the
 * established peers: a socket that sends hello and never authenticates holds a pool
 * slot for at most the handshake timeout, never an inbound peer slot (issue 11: 64 such
 * sockets, reopened on each HANDSHAKE_TIMEOUT, shut honest nodes out). Pure: the
 * manager asks admit() on accept, release() when the handshake ends either way, and
 * closes whatever admit() says to evict.
 *
 * When the pool is full a newcomer still gets in: the oldest pending handshake of the
 * most crowded network group makes room, so holding the pool takes sockets from many
 * groups, and a peer from an uncrowded group always gets its turn.
 */
import { isIP } from 'node:net';
import { isLoopback } from './address';
import { defaultNetGroup, type NetGroupFn } from './netgroup';

/**
 * Handshakes in progress at once. An honest handshake takes a round trip or two
 * (milliseconds), so even a node that many peers dial at the same moment has a few in
 * progress; 16 is room for that with ample margin, and bounds what half-open sockets
 * cost (a socket and a read buffer each) to a fixed small amount.
 */
export const MAX_HANDSHAKES = 16;
/**
 * Handshakes in progress per address. Two, not one: a peer whose previous attempt is
 * still timing out on our side (it saw the link die first) can retry at once.
 */
export const MAX_HANDSHAKES_PER_ADDRESS = 2;

/**
 * What counts as one address for MAX_HANDSHAKES_PER_ADDRESS:
 * - IPv4: the IP.
 * - IPv6: the /64, since one subscriber gets a whole /64 and could use a fresh IP per socket.
 * - Loopback: the IP and the source port, i.e. no per-address limit. Every node of a
 *   test network shares 127.0.0.1, and only a process on this machine can connect from
 *   loopback, which could stop the daemon anyway: limiting it defends against nothing
 *   and would make local clusters wait on each other. The pool total still bounds it.
 */
export function handshakeAddressKey(host: string, port: number): string {
  if (isLoopback(host)) return `${host}|${port}`;
  if (isIP(host) === 6) return `${expand64(host)}/64`;
  return host;
}

export type Admission =
  /** Go ahead; if `evict` is a token, close that pending handshake first. */
  | { ok: true; token: number; evict: number | null }
  /** Refuse the newcomer: this address already has its share of handshakes in progress. */
  | { ok: false; reason: 'PER_ADDRESS' };

interface Pending {
  key: string;
  group: string;
  startedAt: number;
}

export interface HandshakePoolOptions {
  max?: number;
  perAddress?: number;
  netgroup?: NetGroupFn;
}

export class HandshakePool {
  private readonly pending = new Map<number, Pending>();
  private readonly perKey = new Map<string, number>();
  private nextToken = 1;
  private readonly max: number;
  private readonly perAddress: number;
  private readonly netgroup: NetGroupFn;

  constructor(opts: HandshakePoolOptions = {}) {
    this.max = opts.max ?? MAX_HANDSHAKES;
    this.perAddress = opts.perAddress ?? MAX_HANDSHAKES_PER_ADDRESS;
    this.netgroup = opts.netgroup ?? defaultNetGroup;
    if (!Number.isInteger(this.max) || this.max < 1 || !Number.isInteger(this.perAddress) || this.perAddress < 1) {
      throw new RangeError('handshake pool: max and perAddress must be positive integers');
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** A connection from host:port starts its handshake at `now`. */
  admit(host: string, port: number, now: number): Admission {
    const key = handshakeAddressKey(host, port);
    if ((this.perKey.get(key) ?? 0) >= this.perAddress) return { ok: false, reason: 'PER_ADDRESS' };
    let evict: number | null = null;
    if (this.pending.size >= this.max) {
      evict = this.victim();
      this.release(evict);
    }
    const token = this.nextToken++;
    this.pending.set(token, { key, group: this.netgroup(host), startedAt: now });
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    return { ok: true, token, evict };
  }

  /** The handshake of `token` ended (completed, failed, timed out, evicted). Idempotent. */
  release(token: number): void {
    const p = this.pending.get(token);
    if (p === undefined) return;
    this.pending.delete(token);
    const n = (this.perKey.get(p.key) ?? 1) - 1;
    if (n === 0) this.perKey.delete(p.key);
    else this.perKey.set(p.key, n);
  }

  /** The oldest pending handshake of the group with the most (ties: the group holding the oldest). */
  private victim(): number {
    const byGroup = new Map<string, { count: number; oldest: number; oldestAt: number }>();
    for (const [token, p] of this.pending) {
      const g = byGroup.get(p.group);
      if (g === undefined) byGroup.set(p.group, { count: 1, oldest: token, oldestAt: p.startedAt });
      else {
        g.count++;
        if (p.startedAt < g.oldestAt) {
          g.oldest = token;
          g.oldestAt = p.startedAt;
        }
      }
    }
    let best: { count: number; oldest: number; oldestAt: number } | null = null;
    for (const g of byGroup.values()) {
      if (best === null || g.count > best.count || (g.count === best.count && (g.oldestAt < best.oldestAt || (g.oldestAt === best.oldestAt && g.oldest < best.oldest)))) best = g;
    }
    return (best as { oldest: number }).oldest;
  }
}

/** The first 64 bits of an IPv6 literal, as four fixed-width hex words. */
function expand64(host: string): string {
  const text = host.split('%')[0];
  const [head, tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  // A trailing dotted quad stands for two words; only the first four words matter here.
  const tailWords = t.reduce((n, w) => n + (w.includes('.') ? 2 : 1), 0);
  const words = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - tailWords)).fill('0'), ...t];
  return words
    .slice(0, 4)
    .map((w) => (w.includes('.') ? w : parseInt(w, 16).toString(16).padStart(4, '0')))
    .join(':');
}
