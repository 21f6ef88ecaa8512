import { Liveness } from '../../src/exchange/liveness';

describe('Liveness', () => {
  const raw = { body: new Uint8Array([1]), sig: new Uint8Array([2]) };
  it('marks a node stale after the bound and live again when heard from', () => {
    const l = new Liveness(1_000);
    expect(l.isStale('n', 0)).toBe(true); // never heard of
    l.heard('n', 100, 100);
    expect(l.sweep(1_000)).toEqual([]);
    expect(l.isStale('n', 1_100)).toBe(false);
    expect(l.sweep(1_101)).toEqual([{ node: 'n', stale: true }]);
    expect(l.sweep(1_200)).toEqual([]); // reported once
    expect(l.heard('n', 1_300, 1_300)).toEqual({ node: 'n', stale: false });
    expect(l.isStale('n', 1_300)).toBe(false);
  });
  it('caps an event time from a fast clock at our now', () => {
    const l = new Liveness(1_000);
    l.heard('n', 50_000, 100);
    expect(l.isStale('n', 1_101)).toBe(true);
  });
  it('keeps each node latest heartbeat only', () => {
    const l = new Liveness(1_000);
    l.heartbeat('n', 5, raw, 'a');
    l.heartbeat('n', 3, { body: new Uint8Array([9]), sig: raw.sig }, 'b');
    expect(l.latestHeartbeats()).toEqual([raw]);
  });
});
