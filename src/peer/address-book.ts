import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { backoffDelay, BackoffConfig } from './backoff';
import { isDialable } from './address';

/** Most addresses remembered; past it, the least recently connected unverified ones go. */
export const ADDRESS_BOOK_MAX = 1000;

export interface KnownPeer {
  host: string;
  port: number;
  /** Node id: claimed by whoever told us, or `verified` by a handshake at this address. */
  id: string | null;
  verified: boolean;
  /** Dial failures since the last success; drives the backoff. */
  failures: number;
  /** Not dialled again before this time (ms). */
  nextAttemptAt: number;
  /** Last completed handshake at this address (ms), 0 if never. */
  lastSeen: number;
  /** This address leads to ourselves: never dial it. */
  self: boolean;
}

const key = (host: string, port: number) => `${host}|${port}`;

/** The peers a node knows of: where to dial, when to retry, what to tell others. Pure: time comes in. */
export class AddressBook {
  private peers = new Map<string, KnownPeer>();

  constructor(
    private readonly backoff: BackoffConfig,
    private readonly random: () => number,
    private readonly max = ADDRESS_BOOK_MAX,
  ) {}

  get size(): number {
    return this.peers.size;
  }

  get(host: string, port: number): KnownPeer | undefined {
    return this.peers.get(key(host, port));
  }

  all(): KnownPeer[] {
    return [...this.peers.values()];
  }

  /** Records an address we heard of; a claimed id never overrides a verified one. */
  learn(host: string, port: number, id: string | null): KnownPeer | null {
    if (!isDialable(host, port)) return null;
    let p = this.get(host, port);
    if (!p) {
      if (this.peers.size >= this.max && !this.evictOne()) return null;
      p = { host, port, id, verified: false, failures: 0, nextAttemptAt: 0, lastSeen: 0, self: false };
      this.peers.set(key(host, port), p);
    } else if (!p.verified && id) {
      p.id = id;
    }
    return p;
  }

  /** A handshake completed with node `id` at this address. */
  succeeded(host: string, port: number, id: string, now: number): void {
    const p = this.learn(host, port, id);
    if (!p) return;
    Object.assign(p, { id, verified: true, failures: 0, nextAttemptAt: 0, lastSeen: now });
  }

  /** A dial failed or a link to this address dropped: back off before the next try. */
  failed(host: string, port: number, now: number): void {
    const p = this.get(host, port);
    if (!p) return;
    p.nextAttemptAt = now + backoffDelay(p.failures, this.backoff, this.random);
    p.failures++;
  }

  markSelf(host: string, port: number): void {
    const p = this.learn(host, port, null);
    if (p) p.self = true;
  }

  /** Addresses worth dialling now, best first (fewest failures, then most recently seen). */
  candidates(now: number, skip: (p: KnownPeer) => boolean): KnownPeer[] {
    return this.all()
      .filter((p) => !p.self && p.nextAttemptAt <= now && !skip(p))
      .sort((a, b) => a.failures - b.failures || b.lastSeen - a.lastSeen);
  }

  /** When the earliest backed-off address becomes dialable again, or null. */
  nextAttemptAt(skip: (p: KnownPeer) => boolean): number | null {
    let t: number | null = null;
    for (const p of this.peers.values()) {
      if (p.self || skip(p)) continue;
      if (t === null || p.nextAttemptAt < t) t = p.nextAttemptAt;
    }
    return t;
  }

  /** Verified addresses, most recently seen first: what we tell other peers about. */
  verified(limit: number, skip: (p: KnownPeer) => boolean): KnownPeer[] {
    return this.all()
      .filter((p) => p.verified && !p.self && !skip(p))
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .slice(0, limit);
  }

  private evictOne(): boolean {
    let victim: KnownPeer | null = null;
    for (const p of this.peers.values()) {
      if (p.verified) continue;
      if (!victim || p.lastSeen < victim.lastSeen) victim = p;
    }
    if (!victim) return false;
    this.peers.delete(key(victim.host, victim.port));
    return true;
  }

  /** Saves verified addresses (JSON), written atomically. */
  save(file: string): void {
    const rows = this.all()
      .filter((p) => p.verified && !p.self)
      .map(({ host, port, id, lastSeen }) => ({ host, port, id, lastSeen }));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(rows));
    renameSync(tmp, file);
  }

  /** Loads what `save` wrote; a missing or corrupt file just means starting empty. */
  load(file: string): void {
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(rows)) return;
    for (const r of rows.slice(0, this.max)) {
      if (typeof r !== 'object' || r === null) continue;
      const { host, port, id, lastSeen } = r as Record<string, unknown>;
      if (typeof host !== 'string' || typeof port !== 'number') continue;
      const p = this.learn(host, port, typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : null);
      if (p && p.id) Object.assign(p, { verified: true, lastSeen: typeof lastSeen === 'number' ? lastSeen : 0 });
    }
  }
}
