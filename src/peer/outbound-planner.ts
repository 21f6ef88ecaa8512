/**
 * Which outbound links to make (issue 11's eclipse). The address manager ranks
 * addresses (verified first, groups we have no link to first, unverified dials rate
 * limited); this decides, each time the manager looks, what to dial:
 *
 * - below `targetOutbound`: addresses from AddrMan.select, each one's group counted as
 *   connected before the next pick, so one round spreads over groups;
 * - at the target, if some network group holds two or more of our outbound links and a
 *   verified address of a group we have no link to is dialable: one extra dial (a
 *   "swap"); once it is up, the youngest link of the most crowded group goes. So an
 *   honest peer that blipped while an attacker's listeners took the free slots is
 *   linked again as soon as its backoff allows, and each swap adds a group, so swaps
 *   stop by themselves. The operator's own addresses are never swapped out;
 * - at the target, every `feelerIntervalMs`: one feeler, a test dial of an unverified
 *   address that moves it to tried if the handshake completes (then closed), so
 *   addresses get verified without taking outbound slots (Core's feelers).
 *
 * Pure apart from the AddrMan it reads (and whose unverified dial rate select() spends).
 */
import { AddrMan, LOCAL_SOURCE, type KnownPeer } from './addrman';
import type { NetGroupFn } from './netgroup';

export interface OutboundLink {
  host: string;
  port: number;
  /** When its handshake completed (ms); null while dialling or handshaking. */
  connectedAt: number | null;
  /** A swap dial, in flight or up and not yet resolved by replace(). */
  swap?: boolean;
}

export interface OutboundPlan {
  dials: KnownPeer[];
  /** One extra dial that replaces a link of a crowded group once it is up. */
  swap: KnownPeer | null;
  feeler: KnownPeer | null;
  /** When planning again may find something (ms), or null. */
  wakeAt: number | null;
}

export interface OutboundPlannerConfig {
  targetOutbound: number;
  /** 0 = no feelers. */
  feelerIntervalMs: number;
  netGroup: NetGroupFn;
}

export class OutboundPlanner {
  readonly counts = {
    /** Outbound links closed to make way for a link to a group we had none in. */
    replaced: 0,
    /** Feeler dials made. */
    feelers: 0,
  };
  private nextFeelerAt: number;

  constructor(
    private readonly cfg: OutboundPlannerConfig,
    private readonly book: AddrMan,
    now: number,
  ) {
    this.nextFeelerAt = now + cfg.feelerIntervalMs;
  }

  /** `links`: our outbound links (up, handshaking or dialling), feelers excluded; `skip`: addresses busy or refused. */
  plan(now: number, links: readonly OutboundLink[], skip: (p: KnownPeer) => boolean): OutboundPlan {
    const out: OutboundPlan = { dials: [], swap: null, feeler: null, wakeAt: null };
    const groups = new Set(links.map((l) => this.cfg.netGroup(l.host)));
    const chosen = new Set<KnownPeer>();
    const skipOrChosen = (p: KnownPeer) => chosen.has(p) || skip(p);
    let count = links.length;
    while (count < this.cfg.targetOutbound) {
      const p = this.book.select(now, skipOrChosen, groups);
      if (p === null) break;
      chosen.add(p);
      groups.add(p.group);
      out.dials.push(p);
      count++;
    }
    if (count < this.cfg.targetOutbound) {
      out.wakeAt = later(now, this.book.nextAttemptAt(skipOrChosen, now));
      return out;
    }
    if (this.cfg.targetOutbound > 0 && !links.some((l) => l.swap) && this.crowded(links).length > 0) {
      out.swap = this.book.diverse(now, skipOrChosen, groups);
      if (out.swap === null) out.wakeAt = later(now, this.book.nextDiverseAt(skipOrChosen, groups));
      else chosen.add(out.swap);
    }
    if (this.cfg.feelerIntervalMs > 0 && this.cfg.targetOutbound > 0) {
      if (now >= this.nextFeelerAt) {
        this.nextFeelerAt = now + this.cfg.feelerIntervalMs;
        out.feeler = this.book.feeler(now, skipOrChosen);
        if (out.feeler !== null) this.counts.feelers++;
      }
      out.wakeAt = out.wakeAt === null ? this.nextFeelerAt : Math.min(out.wakeAt, this.nextFeelerAt);
    }
    return out;
  }

  /**
   * The swap link `opened` is up: the link to close for it (the youngest of the most
   * crowded group, on a tie the group whose youngest is youngest), or null if no group
   * is crowded any more (then the extra link simply stays).
   */
  replace(opened: OutboundLink, links: readonly OutboundLink[]): OutboundLink | null {
    let victim: OutboundLink | null = null;
    let size = 0;
    for (const members of this.crowded(links.filter((l) => l !== opened && l.connectedAt !== null))) {
      const youngest = members.reduce((y, l) => ((l.connectedAt as number) > (y.connectedAt as number) ? l : y));
      if (members.length > size || (members.length === size && (youngest.connectedAt as number) > (victim?.connectedAt as number))) {
        victim = youngest;
        size = members.length;
      }
    }
    if (victim !== null) this.counts.replaced++;
    return victim;
  }

  /** The links of each group holding two or more, the operator's own addresses left out (never swapped out). */
  private crowded(links: readonly OutboundLink[]): OutboundLink[][] {
    const byGroup = new Map<string, OutboundLink[]>();
    for (const l of links) {
      if (this.book.get(l.host, l.port)?.source === LOCAL_SOURCE) continue;
      const g = this.cfg.netGroup(l.host);
      const m = byGroup.get(g);
      if (m) m.push(l);
      else byGroup.set(g, [l]);
    }
    return [...byGroup.values()].filter((m) => m.length >= 2);
  }
}

function later(now: number, at: number | null): number | null {
  return at !== null && at > now ? at : null;
}
