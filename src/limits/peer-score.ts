/**
 * Per-peer behaviour accounting in the spirit of GossipSub v1.1's peer score: each
 * outcome of an event a link delivered moves a decaying score; below DROP_SCORE the
 * link is dropped, and each drop bans the peer for longer than the last (backoff that
 * grows with repeats, like GossipSub's prune backoff and Bitcoin Core's discouragement).
 * Pure: time comes in. Scores are plain doubles: they rank behaviour, they never touch
 * money.
 *
 * Use: `record(key, outcome, now)` per event outcome ('drop' = close the link now);
 * `dropped(key, now)` when closing it, which returns how long to shun `key`. The key
 * is whatever names the peer across reconnects: its node id once the handshake proved
 * it (or its IP before that).
 */
import { BoundedMap } from './bounded-map';

/**
 * - useful: the first copy of a valid event we did not have (GossipSub's P2);
 * - duplicate: a copy we already had: normal in flood gossip, neutral;
 * - over-budget: an event of the link's own over its (origin) budget: it flooded us itself;
 * - excess: an event it relayed over its origin's budget: origin budgets run on each
 *   node's own clock, so an honest relay may pass one on at a refill edge, or a burst
 *   it let through arrives here compressed — this barely counts;
 * - invalid: an event that fails the exchange's checks although its signature is good
 *   (honest nodes check before relaying, so they never forward one);
 * - peers-flood: a `peers` message or addresses over the address-relay limit.
 */
export type Outcome = 'useful' | 'duplicate' | 'over-budget' | 'excess' | 'invalid' | 'peers-flood';

export interface ScorePolicy {
  weights: Record<Outcome, number>;
  /** Most positive score: a long-useful peer cannot bank credit for a later flood. */
  cap: number;
  /** Score halves towards 0 every this many ms. */
  halfLifeMs: number;
  /** A link whose score falls below this is dropped. */
  dropBelow: number;
  /** First ban; each repeat doubles it up to banMaxMs. */
  banBaseMs: number;
  banMaxMs: number;
  /** A peer with no drop for this long starts again from banBaseMs. */
  repeatMemoryMs: number;
}

/**
 * One useful event earns what one over-budget event costs, so a relay that forwards
 * mostly good traffic and a little over someone's budget (budgets differ slightly
 * between nodes that saw events at different times) stays well above water.
 */
export const USEFUL_WEIGHT = 1;
export const OVER_BUDGET_WEIGHT = -1;
/**
 * 10,000 relayed events over their origins' budgets within a half-life drop a link: the
 * few an honest relay passes on at refill edges cost it nothing that matters.
 */
export const EXCESS_WEIGHT = -0.01;
/** Honest nodes never relay an event that fails checks: five in a half-life drop the link. */
export const INVALID_WEIGHT = -20;
/** Address spam is cheaper to send than events are to sign: ten over-limit `peers` messages drop the link. */
export const PEERS_FLOOD_WEIGHT = -10;
/** 50 useful events of credit at most: absorbs a brief disagreement over budgets, not a flood. */
export const SCORE_CAP = 50;
/**
 * One minute: long enough that a flood adds up (a link 100 events over budget within a
 * minute is gone), short enough that an honest link that crossed a budget once in a
 * burst is back near 0 a few minutes later.
 */
export const SCORE_HALF_LIFE_MS = 60_000;
/** 100 over-budget events net of credit, five invalid ones, or ten `peers` floods. */
export const DROP_SCORE = -100;
/** One minute for a first offence (GossipSub's default prune backoff)... */
export const BAN_BASE_MS = 60_000;
/** ...doubling per repeat up to six hours, so a peer that reconnects to flood again gets at most a few tries a day. */
export const BAN_MAX_MS = 6 * 3_600_000;
/** A day without a drop and the next one counts as a first offence again. */
export const REPEAT_MEMORY_MS = 24 * 3_600_000;
/** Peers remembered: as many as BUDGET_MAX_KEYS, for the same reason (see budgets.ts). */
export const SCORE_MAX_KEYS = 10_000;

export const DEFAULT_SCORE_POLICY: ScorePolicy = {
  weights: { useful: USEFUL_WEIGHT, duplicate: 0, 'over-budget': OVER_BUDGET_WEIGHT, excess: EXCESS_WEIGHT, invalid: INVALID_WEIGHT, 'peers-flood': PEERS_FLOOD_WEIGHT },
  cap: SCORE_CAP,
  halfLifeMs: SCORE_HALF_LIFE_MS,
  dropBelow: DROP_SCORE,
  banBaseMs: BAN_BASE_MS,
  banMaxMs: BAN_MAX_MS,
  repeatMemoryMs: REPEAT_MEMORY_MS,
};

export type Verdict = 'ok' | 'drop';

interface Entry {
  score: number;
  at: number;
  drops: number;
  lastDropAt: number;
}

export class PeerScores {
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    readonly policy: ScorePolicy = DEFAULT_SCORE_POLICY,
    maxKeys = SCORE_MAX_KEYS,
  ) {
    if (!(policy.halfLifeMs > 0) || !(policy.dropBelow < 0) || !(policy.banBaseMs > 0) || policy.banMaxMs < policy.banBaseMs) {
      throw new RangeError('score policy: halfLifeMs > 0, dropBelow < 0, banBaseMs > 0 and banMaxMs >= banBaseMs');
    }
    this.entries = new BoundedMap(maxKeys);
  }

  /** Accounts one outcome; 'drop' once the score is below the threshold. */
  record(key: string, outcome: Outcome, now: number): Verdict {
    const e = this.entry(key, now);
    const w = this.policy.weights[outcome];
    e.score = w > 0 ? Math.min(this.policy.cap, e.score + w) : e.score + w;
    return e.score < this.policy.dropBelow ? 'drop' : 'ok';
  }

  /** The decayed score at `now` (0 for a peer never seen or forgotten). */
  score(key: string, now: number): number {
    const e = this.entries.peek(key);
    return e === undefined ? 0 : decay(e.score, now - e.at, this.policy.halfLifeMs);
  }

  /**
   * The link of `key` is being dropped for its score: returns how long to shun it
   * (banBaseMs doubled per earlier drop within repeatMemoryMs, capped), and starts
   * its score afresh for when it comes back.
   */
  dropped(key: string, now: number): number {
    const e = this.entry(key, now);
    if (e.drops > 0 && now - e.lastDropAt >= this.policy.repeatMemoryMs) e.drops = 0;
    const ms = Math.min(this.policy.banMaxMs, this.policy.banBaseMs * 2 ** Math.min(e.drops, 30));
    e.drops++;
    e.lastDropAt = now;
    e.score = 0;
    return ms;
  }

  /** Drops earlier than `now` within repeatMemoryMs (what the next ban is based on). */
  repeats(key: string, now: number): number {
    const e = this.entries.peek(key);
    return e === undefined || now - e.lastDropAt >= this.policy.repeatMemoryMs ? 0 : e.drops;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every remembered peer whose decayed score at `now` is below `threshold`. */
  *below(threshold: number, now: number): IterableIterator<{ key: string; score: number }> {
    for (const [key, e] of this.entries.entries()) {
      const score = decay(e.score, now - e.at, this.policy.halfLifeMs);
      if (score < threshold) yield { key, score };
    }
  }

  private entry(key: string, now: number): Entry {
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { score: 0, at: now, drops: 0, lastDropAt: -Infinity };
      this.entries.set(key, e);
    } else {
      e.score = decay(e.score, now - e.at, this.policy.halfLifeMs);
      e.at = now;
    }
    return e;
  }
}

function decay(score: number, elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? score : score * 2 ** (-elapsedMs / halfLifeMs);
}
