import { BAN_BASE_MS, BAN_MAX_MS, DEFAULT_SCORE_POLICY, DROP_SCORE, PeerScores, REPEAT_MEMORY_MS, SCORE_CAP, SCORE_HALF_LIFE_MS } from '../../src/limits/peer-score';

describe('PeerScores', () => {
  test('a link that keeps sending over budget is dropped; a neighbour is not', () => {
    const s = new PeerScores();
    let verdict = 'ok';
    let sent = 0;
    while (verdict === 'ok') {
      verdict = s.record('flooder', 'over-budget', 1000);
      sent++;
    }
    expect(sent).toBe(-DROP_SCORE + 1);
    expect(s.record('honest', 'useful', 1000)).toBe('ok');
    expect(s.score('honest', 1000)).toBe(1);
  });

  test('credit is capped, so it absorbs a little excess but not a flood', () => {
    const s = new PeerScores();
    for (let i = 0; i < 1000; i++) s.record('p', 'useful', 0);
    expect(s.score('p', 0)).toBe(SCORE_CAP);
    let n = 0;
    while (s.record('p', 'over-budget', 0) === 'ok') n++;
    expect(n).toBe(SCORE_CAP - DROP_SCORE);
  });

  test('scores decay towards 0 with the half-life', () => {
    const s = new PeerScores();
    for (let i = 0; i < 80; i++) s.record('p', 'over-budget', 0);
    expect(s.score('p', SCORE_HALF_LIFE_MS)).toBeCloseTo(-40, 9);
    expect(s.score('p', 10 * SCORE_HALF_LIFE_MS)).toBeGreaterThan(-0.1);
    // Spread over time the same 80 offences plus 80 more never reach the threshold.
    for (let i = 0; i < 80; i++) expect(s.record('p', 'over-budget', 10 * SCORE_HALF_LIFE_MS)).toBe('ok');
  });

  test('invalid events weigh more than over-budget ones', () => {
    const s = new PeerScores();
    const verdicts = Array.from({ length: 6 }, () => s.record('p', 'invalid', 0));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'drop']);
    expect(s.record('q', 'duplicate', 0)).toBe('ok');
    expect(s.score('q', 0)).toBe(0);
  });

  test('each drop bans longer, up to the cap; a quiet day starts over', () => {
    const s = new PeerScores();
    const bans: number[] = [];
    for (let i = 0; i < 12; i++) bans.push(s.dropped('p', i * 1000));
    expect(bans.slice(0, 4)).toEqual([BAN_BASE_MS, 2 * BAN_BASE_MS, 4 * BAN_BASE_MS, 8 * BAN_BASE_MS]);
    expect(bans[11]).toBe(BAN_MAX_MS);
    expect(s.repeats('p', 11_000)).toBe(12);
    expect(s.dropped('p', 11_000 + REPEAT_MEMORY_MS)).toBe(BAN_BASE_MS);
    // The score restarts at 0 after a drop.
    expect(s.score('p', 11_000 + REPEAT_MEMORY_MS)).toBe(0);
  });

  test('bounded keys; a bad policy is refused', () => {
    const s = new PeerScores(DEFAULT_SCORE_POLICY, 10);
    for (let i = 0; i < 1000; i++) s.record(`k${i}`, 'over-budget', 0);
    expect(s.size).toBe(10);
    expect(() => new PeerScores({ ...DEFAULT_SCORE_POLICY, dropBelow: 5 })).toThrow(RangeError);
  });
});
