/**
 * The address manager: which addresses a node knows, which it dials next, what it
 * tells others. Replaces AddressBook with the same calls (learn, succeeded, failed,
 * markSelf, candidates, nextAttemptAt, verified, save, load) plus what resists an
 * eclipse (issue 11), after Bitcoin Core's addrman:
 *
 * - "new" and "tried" tables bucketed by network group under a node secret
 *   (AddrTables), so neither a flood of addresses nor one group's listeners can take
 *   over either table;
 * - select(): anchors first, then addresses in network groups we have no outbound link
 *   to, verified ones before unverified ones; dials to unverified addresses peers told
 *   us of are rate limited, so bogus addresses cannot make us dial closed ports at will;
 * - diverse(): a verified address in a group we have no outbound link to, for replacing
 *   a link of a crowded group once outbound is full;
 * - anchors: the outbound peers we had when we saved, dialled first after a restart;
 * - feeler(): an occasional test dial of a "new" address, moving it to tried if it works.
 *
 * Pure: time comes in, randomness is injected, save/load only touch the file named.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { TokenBucket, type RateSpec } from '../limits/token-bucket';
import { isDialable } from './address';
import { AddrTables, type TableName } from './addr-tables';
import { backoffDelay, type BackoffConfig } from './backoff';
import { defaultNetGroup, type NetGroupFn } from './netgroup';

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
  /** Network group of the address. */
  group: string;
  /** Network group of whoever told us ('local' for our own dials and the peers file). */
  source: string;
  /** Which table holds it. */
  table: TableName;
}

/**
 * Dials to unverified addresses: 8 at once (a cold node fills its outbound slots), then
 * one every 2 s. 1,600 bogus addresses then cost 0.5 dials a second, not 800 (issue 11).
 */
export const UNVERIFIED_DIAL_RATE: RateSpec = { tokens: 1, perMs: 2000, burst: 8 };
/** Outbound peers saved as anchors and dialled first on start (Core: 2). More would let an attacker that once held our outbound slots keep them across restarts. */
export const ANCHOR_COUNT = 2;
/** A "new" address that failed this many times in a row is forgotten: it is probably a closed port. */
export const NEW_MAX_FAILURES = 3;
/** How often the manager should make a feeler dial (Core: every 2 min). */
export const FEELER_INTERVAL_MS = 120_000;
/** Core's GetChance: each failure makes an address 0.66 times as likely to be picked, down to 8 failures. */
const FAILURE_CHANCE = 0.66;
/** Source of addresses the operator gave (config, `connect`): trusted, kept outside the buckets. */
export const LOCAL_SOURCE = 'local';

export interface AddrManConfig {
  backoff: BackoffConfig;
  random: () => number;
  netgroup?: NetGroupFn;
  /** Keys the bucket hashes; 32 bytes from random() when absent. The manager passes 32 bytes of the clock's random source. */
  secret?: Uint8Array;
  unverifiedDialRate?: RateSpec;
}

const key = (host: string, port: number) => `${host}|${port}`;

export class AddrMan {
  private readonly peers = new Map<string, KnownPeer & { slot: number }>();
  private readonly selfAddrs = new Set<string>();
  private readonly tables: AddrTables;
  private readonly netgroup: NetGroupFn;
  private readonly unverifiedDials: TokenBucket;
  /** Anchors loaded from the file, not dialled yet. */
  private pendingAnchors: string[] = [];
  /** What save() writes as anchors. */
  private anchorsToSave: string[] = [];

  constructor(private readonly cfg: AddrManConfig) {
    this.netgroup = cfg.netgroup ?? defaultNetGroup;
    this.tables = new AddrTables(cfg.secret ?? Uint8Array.from({ length: 32 }, () => Math.floor(cfg.random() * 256)));
    this.unverifiedDials = new TokenBucket(cfg.unverifiedDialRate ?? UNVERIFIED_DIAL_RATE);
  }

  get size(): number {
    return this.peers.size;
  }

  get(host: string, port: number): KnownPeer | undefined {
    return this.peers.get(key(host, port));
  }

  all(): KnownPeer[] {
    return [...this.peers.values()];
  }

  /**
   * Records an address we heard of from `source` (the host of the peer that told us;
   * null = our own dial or the operator). A claimed id never overrides a verified one.
   * Null if the address is not dialable or its one slot in "new" holds a better one.
   */
  learn(host: string, port: number, id: string | null, source: string | null = null): KnownPeer | null {
    if (!isDialable(host, port)) return null;
    const k = key(host, port);
    const p = this.peers.get(k);
    if (p) {
      if (!p.verified && id) p.id = id;
      return p;
    }
    const group = this.netgroup(host);
    const src = source === null ? LOCAL_SOURCE : this.netgroup(source);
    // The operator's own addresses (config, connect) are kept outside the buckets: they
    // are few, trusted, and must never be pushed out by what peers tell us.
    const slot = src === LOCAL_SOURCE ? -1 : this.newRoom(this.tables.newSlots(k, group, src));
    if (slot === null) return null;
    const entry = { host, port, id, verified: false, failures: 0, nextAttemptAt: 0, lastSeen: 0, self: this.selfAddrs.has(k), group, source: src, table: 'new' as const, slot };
    this.peers.set(k, entry);
    if (slot >= 0) this.tables.put('new', slot, k);
    return entry;
  }

  /**
   * A handshake completed with node `id` at this address: it moves to "tried". Call it
   * for outbound links (we dialled this address, so it listens); an inbound peer's
   * claimed listen address is not proven by its handshake: learn() it instead.
   */
  succeeded(host: string, port: number, id: string, now: number): void {
    if (!isDialable(host, port)) return;
    const k = key(host, port);
    let p = this.peers.get(k);
    if (!p) {
      // As if it had told us of itself: if it is pushed back to "new" it competes there
      // under its own group, instead of being kept like an operator's address.
      const group = this.netgroup(host);
      p = { host, port, id, verified: true, failures: 0, nextAttemptAt: 0, lastSeen: now, self: this.selfAddrs.has(k), group, source: group, table: 'new', slot: -1 };
      this.peers.set(k, p);
    }
    // Failures are not forgiven yet: a handshake the peer then refuses (a duplicate of a
    // link it still holds) must keep backing off. settled() forgives them.
    Object.assign(p, { id, verified: true, nextAttemptAt: 0, lastSeen: now });
    this.pendingAnchors = this.pendingAnchors.filter((a) => a !== k);
    if (p.table !== 'tried') this.moveToTried(p);
  }

  /** A link to this address stayed up a while: its failures are forgiven (the next backoff starts small). */
  settled(host: string, port: number): void {
    const p = this.peers.get(key(host, port));
    if (p) p.failures = 0;
  }

  /** A dial failed or a link to this address dropped: back off before the next try. */
  failed(host: string, port: number, now: number): void {
    const k = key(host, port);
    const p = this.peers.get(k);
    this.pendingAnchors = this.pendingAnchors.filter((a) => a !== k);
    if (!p) return;
    p.nextAttemptAt = now + backoffDelay(p.failures, this.cfg.backoff, this.cfg.random);
    p.failures++;
    if (!p.verified && p.source !== LOCAL_SOURCE && p.failures >= NEW_MAX_FAILURES) this.remove(p);
  }

  markSelf(host: string, port: number): void {
    const k = key(host, port);
    this.selfAddrs.add(k);
    const p = this.peers.get(k);
    if (p) p.self = true;
  }

  /**
   * The next address to dial, or null: a pending anchor; else, in network groups not in
   * `connectedGroups` first, a verified address, then an unverified one (one a peer told
   * us of only while the unverified dial rate allows, which this call spends); then the
   * same in connected groups. Within a tier, random, less likely the more it failed.
   */
  select(now: number, skip: (p: KnownPeer) => boolean, connectedGroups: ReadonlySet<string> = new Set()): KnownPeer | null {
    for (const k of this.pendingAnchors) {
      const p = this.peers.get(k);
      if (p && this.dialable(p, now, skip)) return p;
    }
    const fresh = (p: KnownPeer) => !connectedGroups.has(p.group);
    const canUnverified = this.unverifiedDials.available(now) >= 1;
    const ready = this.all().filter((p) => this.dialable(p, now, skip) && (p.verified || canUnverified || !this.rateLimited(p)));
    const tiers = [
      ready.filter((p) => p.verified && fresh(p)),
      ready.filter((p) => !p.verified && fresh(p)),
      ready.filter((p) => p.verified && !fresh(p)),
      ready.filter((p) => !p.verified && !fresh(p)),
    ];
    for (const tier of tiers) {
      if (tier.length === 0) continue;
      const p = this.pick(tier);
      if (this.rateLimited(p)) this.unverifiedDials.take(1, now);
      return p;
    }
    return null;
  }

  /**
   * A verified address in a network group not in `connectedGroups`, dialable now, or
   * null: what may replace an outbound link of a crowded group when outbound is full.
   * Spends nothing (verified dials are not rate limited).
   */
  diverse(now: number, skip: (p: KnownPeer) => boolean, connectedGroups: ReadonlySet<string>): KnownPeer | null {
    const tier = this.all().filter((p) => p.verified && !connectedGroups.has(p.group) && this.dialable(p, now, skip));
    return tier.length === 0 ? null : this.pick(tier);
  }

  /** When diverse() may next find something (the earliest backoff of such an address), or null. */
  nextDiverseAt(skip: (p: KnownPeer) => boolean, connectedGroups: ReadonlySet<string>): number | null {
    let t: number | null = null;
    for (const p of this.peers.values()) {
      if (!p.verified || p.self || connectedGroups.has(p.group) || skip(p)) continue;
      if (t === null || p.nextAttemptAt < t) t = p.nextAttemptAt;
    }
    return t;
  }

  /** An unverified address to test-dial (and close once the handshake is done), or null; spends the unverified dial rate. */
  feeler(now: number, skip: (p: KnownPeer) => boolean): KnownPeer | null {
    const tier = this.all().filter((p) => p.table === 'new' && !p.verified && this.dialable(p, now, skip));
    if (tier.length === 0 || !this.unverifiedDials.take(1, now)) return null;
    return this.pick(tier);
  }

  /** Addresses worth dialling now, best first (anchors, verified, fewest failures, most recent). Spends nothing: select() is what dials. */
  candidates(now: number, skip: (p: KnownPeer) => boolean): KnownPeer[] {
    const anchors = new Set(this.pendingAnchors);
    return this.all()
      .filter((p) => this.dialable(p, now, skip))
      .sort((a, b) => +anchors.has(key(b.host, b.port)) - +anchors.has(key(a.host, a.port)) || +b.verified - +a.verified || a.failures - b.failures || b.lastSeen - a.lastSeen);
  }

  /**
   * When select() may next find something, or null: the earliest backed-off address
   * becomes dialable, and for an unverified one not before the dial rate allows.
   */
  nextAttemptAt(skip: (p: KnownPeer) => boolean, now = 0): number | null {
    let t: number | null = null;
    const rateAt = this.unverifiedDials.readyAt(1, now);
    for (const p of this.peers.values()) {
      if (p.self || skip(p)) continue;
      const at = this.rateLimited(p) ? Math.max(p.nextAttemptAt, rateAt) : p.nextAttemptAt;
      if (t === null || at < t) t = at;
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

  /** The outbound peers to save as anchors (the manager passes its longest-lived outbound links first). */
  setAnchors(addrs: ReadonlyArray<{ host: string; port: number }>): void {
    this.anchorsToSave = addrs.slice(0, ANCHOR_COUNT).map((a) => key(a.host, a.port));
  }

  /** Anchors loaded and not dialled yet. */
  anchors(): KnownPeer[] {
    return this.pendingAnchors.map((k) => this.peers.get(k)).filter((p): p is KnownPeer & { slot: number } => p !== undefined);
  }

  /** Saves verified addresses and the anchors (JSON rows), written atomically. */
  save(file: string): void {
    const anchors = new Set(this.anchorsToSave);
    const rows = this.all()
      .filter((p) => p.verified && !p.self)
      .map(({ host, port, id, lastSeen }) => ({ host, port, id, lastSeen, ...(anchors.has(key(host, port)) ? { anchor: true } : {}) }));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(rows));
    renameSync(tmp, file);
  }

  /** Loads what save() (or AddressBook's save) wrote; a missing or corrupt file just means starting empty. */
  load(file: string): void {
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(rows)) return;
    for (const r of rows.slice(0, this.tables.capacity('tried'))) {
      if (typeof r !== 'object' || r === null) continue;
      const { host, port, id, lastSeen, anchor } = r as Record<string, unknown>;
      if (typeof host !== 'string' || typeof port !== 'number' || typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) continue;
      this.succeeded(host, port, id, typeof lastSeen === 'number' && Number.isFinite(lastSeen) ? lastSeen : 0);
      const k = key(host, port);
      if (anchor === true && this.peers.get(k)?.table === 'tried' && this.pendingAnchors.length < ANCHOR_COUNT) this.pendingAnchors.push(k);
    }
  }

  /**
   * Dials to it spend the unverified dial rate: addresses peers told us of and no
   * handshake has confirmed. The operator's own (config, `connect`) are trusted.
   */
  private rateLimited(p: KnownPeer): boolean {
    return !p.verified && p.source !== LOCAL_SOURCE;
  }

  private dialable(p: KnownPeer, now: number, skip: (p: KnownPeer) => boolean): boolean {
    return !p.self && p.nextAttemptAt <= now && !skip(p);
  }

  private pick(tier: KnownPeer[]): KnownPeer {
    const weight = (p: KnownPeer) => FAILURE_CHANCE ** Math.min(p.failures, 8);
    let total = 0;
    for (const p of tier) total += weight(p);
    let r = this.cfg.random() * total;
    for (const p of tier) {
      r -= weight(p);
      if (r < 0) return p;
    }
    return tier[tier.length - 1];
  }

  /**
   * A slot of `slots` (one new bucket, in probe order) for a newcomer: the first free
   * one, else the first whose holder is failing (Core's IsTerrible), freed; else null:
   * addresses that work are not pushed out by addresses we merely heard of.
   */
  private newRoom(slots: number[]): number | null {
    for (const slot of slots) if (this.tables.at('new', slot) === null) return slot;
    for (const slot of slots) {
      const p = this.peers.get(this.tables.at('new', slot) as string);
      if (p && p.failures > 0) {
        this.remove(p);
        return slot;
      }
    }
    return null;
  }

  /**
   * Into "tried": a free slot of its bucket, else the first slot's holder goes back to
   * "new" (Core before test-before-evict), where it takes a free or failing slot of its
   * new bucket, or is forgotten.
   */
  private moveToTried(p: KnownPeer & { slot: number }): void {
    const k = key(p.host, p.port);
    if (p.slot >= 0) this.tables.clear('new', p.slot, k);
    const slots = this.tables.triedSlots(k, p.group);
    const slot = slots.find((s) => this.tables.at('tried', s) === null) ?? slots[0];
    const holder = this.tables.at('tried', slot);
    const old = holder === null ? undefined : this.peers.get(holder);
    p.table = 'tried';
    p.slot = slot;
    this.tables.put('tried', slot, k);
    if (!old) return;
    const back = old.source === LOCAL_SOURCE ? -1 : this.newRoom(this.tables.newSlots(holder as string, old.group, old.source));
    if (back === null) {
      this.remove(old);
      return;
    }
    old.table = 'new';
    old.slot = back;
    if (back >= 0) this.tables.put('new', back, holder as string);
  }

  private remove(p: KnownPeer & { slot: number }): void {
    const k = key(p.host, p.port);
    if (p.slot >= 0) this.tables.clear(p.table, p.slot, k);
    this.peers.delete(k);
    this.pendingAnchors = this.pendingAnchors.filter((a) => a !== k);
  }
}
