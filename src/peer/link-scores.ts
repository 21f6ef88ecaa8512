/**
 * What the peer layer makes of PeerScores (src/limits/peer-score.ts): per node id, a
 * decaying score fed by what the exchange and the router report of each link; a peer
 * that sinks below the drop threshold is dropped and banned for a time that grows with
 * repeats; one that sinks below PENALTY_SCORE is "penalised": listed in status, logged
 * once, and the first to go when inbound must make room. Pure: time comes in; the
 * manager does the closing, shunning and logging.
 */
import { BoundedMap } from '../limits/bounded-map';
import { DEFAULT_SCORE_POLICY, PeerScores, SCORE_MAX_KEYS, type Outcome, type ScorePolicy } from '../limits/peer-score';

export type { Outcome } from '../limits/peer-score';

export const OUTCOMES: readonly Outcome[] = ['useful', 'duplicate', 'over-budget', 'excess', 'invalid', 'peers-flood'];

/**
 * Below this a peer counts as penalised: one invalid event (-20), one `peers` flood
 * (-10), or ten over-budget events net of credit. One stray over-budget event (-1), which
 * budgets that differ slightly between nodes can cause, does not; and with the one-minute
 * half-life a peer that stops is off the list within a minute or two.
 */
export const PENALTY_SCORE = -10;

export interface ScoreVerdict {
  /** 'throttled': the peer just became penalised (log it once); 'drop': close the link and ban it for `banMs`. */
  action: 'ok' | 'throttled' | 'drop';
  /** The score after this outcome (0 again after a drop). */
  score: number;
  banMs?: number;
}

export interface Penalised {
  peer: string;
  score: number;
  /** When its ban ends (ms), or null: penalised, not banned. */
  until: number | null;
}

export class LinkScores {
  /** Outcomes reported, by kind: what status and metrics show as throttled per reason. */
  readonly reported: Record<Outcome, number> = { useful: 0, duplicate: 0, 'over-budget': 0, excess: 0, invalid: 0, 'peers-flood': 0 };
  /** Links dropped for their score. */
  dropped = 0;
  private readonly scores: PeerScores;
  private readonly bans: BoundedMap<string, number>;
  /** Peers told about (action 'throttled') and not back above PENALTY_SCORE since: each is logged once. */
  private readonly flagged: BoundedMap<string, true>;

  constructor(readonly policy: ScorePolicy = DEFAULT_SCORE_POLICY, maxKeys = SCORE_MAX_KEYS) {
    this.scores = new PeerScores(policy, maxKeys);
    this.bans = new BoundedMap(maxKeys);
    this.flagged = new BoundedMap(maxKeys);
  }

  report(peer: string, outcome: Outcome, now: number): ScoreVerdict {
    this.reported[outcome]++;
    if (this.scores.record(peer, outcome, now) === 'drop') {
      const score = this.scores.score(peer, now);
      const banMs = this.scores.dropped(peer, now);
      this.bans.set(peer, now + banMs);
      this.flagged.delete(peer);
      this.dropped++;
      return { action: 'drop', score, banMs };
    }
    const score = this.scores.score(peer, now);
    if (score >= PENALTY_SCORE) {
      this.flagged.delete(peer);
      return { action: 'ok', score };
    }
    if (this.flagged.has(peer)) return { action: 'ok', score };
    this.flagged.set(peer, true);
    return { action: 'throttled', score };
  }

  score(peer: string, now: number): number {
    return this.scores.score(peer, now);
  }

  /** Below PENALTY_SCORE now: evicted first when inbound is full. */
  isPenalised(peer: string, now: number): boolean {
    return this.scores.score(peer, now) < PENALTY_SCORE;
  }

  /** Peers penalised or banned at `now`, lowest score first. */
  penalised(now: number): Penalised[] {
    const out = new Map<string, Penalised>();
    for (const { key, score } of this.scores.below(PENALTY_SCORE, now)) out.set(key, { peer: key, score, until: null });
    for (const [peer, until] of [...this.bans.entries()]) {
      if (until <= now) {
        this.bans.delete(peer);
        continue;
      }
      out.set(peer, { peer, score: this.scores.score(peer, now), until });
    }
    return [...out.values()].sort((a, b) => a.score - b.score || (a.peer < b.peer ? -1 : 1));
  }
}
