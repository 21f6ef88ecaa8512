import { DEFAULT_SCORE_POLICY } from '../../src/limits/peer-score';
import { LinkScores, PENALTY_SCORE } from '../../src/peer/link-scores';

const policy = { ...DEFAULT_SCORE_POLICY, halfLifeMs: 60_000 };

describe('LinkScores', () => {
  test('throttled once when the score first sinks below the penalty line, listed while there, off the list once it decays back', () => {
    const s = new LinkScores(policy);
    const actions = Array.from({ length: 3 }, () => s.report('a', 'peers-flood', 0).action);
    expect(actions).toEqual(['ok', 'throttled', 'ok']); // -10 is on the line, -20 below it
    expect(s.penalised(0)).toEqual([{ peer: 'a', score: -30, until: null }]);
    expect(s.isPenalised('a', 0)).toBe(true);
    // Two half-lives: -7.5, above the line: no longer listed; the next fall is logged again.
    expect(s.penalised(120_000)).toEqual([]);
    s.report('a', 'useful', 120_000);
    expect(s.report('a', 'invalid', 120_000).action).toBe('throttled');
    expect(s.reported).toMatchObject({ 'peers-flood': 3, useful: 1, invalid: 1 });
  });

  test('drop: a ban that grows with repeats, listed until it ends', () => {
    const s = new LinkScores(policy);
    const drop = () => {
      for (;;) {
        const v = s.report('b', 'invalid', 1000);
        if (v.action === 'drop') return v;
      }
    };
    expect(drop().banMs).toBe(policy.banBaseMs);
    expect(s.penalised(1000)).toEqual([{ peer: 'b', score: 0, until: 1000 + policy.banBaseMs }]);
    expect(drop().banMs).toBe(2 * policy.banBaseMs);
    expect(s.dropped).toBe(2);
    expect(s.penalised(1000 + 2 * policy.banBaseMs)).toEqual([]);
    expect(PENALTY_SCORE).toBeGreaterThan(policy.dropBelow);
  });

  test('bounded: a stream of fresh peers keeps at most maxKeys of each table', () => {
    const s = new LinkScores(policy, 50);
    for (let i = 0; i < 1000; i++) for (let j = 0; j < 6; j++) s.report(`p${i}`, 'invalid', 0);
    expect(s.penalised(0).length).toBeLessThanOrEqual(100);
  });
});
