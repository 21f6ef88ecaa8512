/**
 * Which inbound peer to drop when inbound is full and a newcomer knocks: Bitcoin Core's
 * SelectNodeToEvict, adapted. Without it, whoever fills the inbound slots first keeps
 * them for ever (issue 11: 63 fresh keys shut out every later honest node). Pure.
 *
 * Peers are protected by several independent criteria, so an attacker has to beat the
 * honest peers at all of them at once: being in a network group of its own (ranked by
 * a keyed hash, so the attacker cannot choose groups that rank high), answering pings
 * fastest, having recently delivered an event we did not have, and having been
 * connected longest. Of those left, the most crowded network group loses its youngest
 * member, so many connections from one group (the cheap kind) go first.
 */
import { groupKey } from './netgroup';

export interface EvictionCandidate {
  id: string;
  /** The peer's network group (NetGroupFn of its address). */
  netgroup: string;
  /** groupKey(netgroup, node secret); computed unkeyed from `netgroup` when absent. */
  keyedNetGroup?: number;
  /** When the link was established (ms). */
  connectedAt: number;
  /** Fastest ping round trip seen (ms); Infinity before the first pong. */
  minPingMs: number;
  /** Last time it delivered an event that was new to us and valid (ms); 0 if never. */
  lastUsefulEventAt: number;
  /** Outbound links are ours to choose and are never evicted for an inbound one. */
  isOutbound?: boolean;
  /** Never evicted (e.g. a peer the operator asked for). */
  protected?: boolean;
  /** Evicted first (e.g. its PeerScores score is negative). */
  preferEvict?: boolean;
}

/** Peers from this many distinct network groups are kept (Core: 4). */
export const PROTECT_BY_GROUP = 4;
/** The fastest pingers are kept (Core: 8): hard to fake from far away. */
export const PROTECT_BY_PING = 8;
/** Peers that most recently brought us a new valid event are kept (Core: 4 for txs, 4 for blocks; we have one kind). */
export const PROTECT_BY_USEFUL = 4;
/** Then the longest-connected half of what is left (Core: half): time cannot be bought back. */
export const PROTECT_LONGEST_FRACTION = 0.5;

/** The id of the inbound peer to evict, or null if every candidate is protected. */
export function selectEvictionCandidate(candidates: readonly EvictionCandidate[]): string | null {
  let left = candidates.filter((c) => !c.isOutbound && !c.protected);
  const keys = new Map(left.map((c) => [c, c.keyedNetGroup ?? groupKey(c.netgroup, 0)]));
  const key = (c: EvictionCandidate) => keys.get(c) as number;
  const older = (a: EvictionCandidate, b: EvictionCandidate) => a.connectedAt - b.connectedAt || cmp(a.id, b.id);

  // Distinct groups: the oldest peer of each of the PROTECT_BY_GROUP highest-keyed groups.
  const byGroup = [...left].sort((a, b) => key(b) - key(a) || older(a, b));
  const kept = new Set<EvictionCandidate>();
  const groups = new Set<string>();
  for (const c of byGroup) {
    if (groups.size >= PROTECT_BY_GROUP) break;
    if (groups.has(c.netgroup)) continue;
    groups.add(c.netgroup);
    kept.add(c);
  }
  left = left.filter((c) => !kept.has(c));

  left = protect(left, PROTECT_BY_PING, (a, b) => a.minPingMs - b.minPingMs || older(a, b));
  const useful = left.filter((c) => c.lastUsefulEventAt > 0);
  const keptUseful = new Set(best(useful, PROTECT_BY_USEFUL, (a, b) => b.lastUsefulEventAt - a.lastUsefulEventAt || older(a, b)));
  left = left.filter((c) => !keptUseful.has(c));
  left = protect(left, Math.floor(left.length * PROTECT_LONGEST_FRACTION), older);

  if (left.length === 0) return null;
  if (left.some((c) => c.preferEvict)) left = left.filter((c) => c.preferEvict);

  // The most crowded group; on a tie the one whose youngest member is youngest.
  const members = new Map<string, EvictionCandidate[]>();
  for (const c of left) {
    const m = members.get(c.netgroup);
    if (m) m.push(c);
    else members.set(c.netgroup, [c]);
  }
  let worst: EvictionCandidate[] = [];
  let worstYoungest: EvictionCandidate | null = null;
  for (const m of members.values()) {
    const youngest = m.reduce((y, c) => (older(y, c) < 0 ? c : y));
    if (m.length > worst.length || (m.length === worst.length && worstYoungest !== null && older(worstYoungest, youngest) < 0)) {
      worst = m;
      worstYoungest = youngest;
    }
  }
  return worstYoungest === null ? null : worstYoungest.id;
}

/** `list` without its `n` best by `order` (best first). */
function protect(list: EvictionCandidate[], n: number, order: (a: EvictionCandidate, b: EvictionCandidate) => number): EvictionCandidate[] {
  const keep = new Set(best(list, n, order));
  return list.filter((c) => !keep.has(c));
}

function best(list: EvictionCandidate[], n: number, order: (a: EvictionCandidate, b: EvictionCandidate) => number): EvictionCandidate[] {
  return n <= 0 ? [] : [...list].sort(order).slice(0, n);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
