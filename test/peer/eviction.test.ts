import fc from 'fast-check';
import { PROTECT_BY_GROUP, PROTECT_BY_PING, PROTECT_BY_USEFUL, selectEvictionCandidate, type EvictionCandidate } from '../../src/peer/eviction';
import { defaultNetGroup } from '../../src/peer/netgroup';

function peer(id: string, o: Partial<EvictionCandidate> = {}): EvictionCandidate {
  return { id, netgroup: 'ipv4:1.1', connectedAt: 0, minPingMs: Infinity, lastUsefulEventAt: 0, ...o };
}

describe('selectEvictionCandidate', () => {
  test('the slot attack: 56 fresh attacker links from two /16s never evict the 8 honest peers', () => {
    const now = 1_000_000;
    const honest = Array.from({ length: 8 }, (_, i) =>
      peer(`honest${i}`, { netgroup: defaultNetGroup(`${20 + i}.1.2.3`), connectedAt: i * 1000, minPingMs: 40 + i, lastUsefulEventAt: now - i * 5000 }),
    );
    // The attacker answers pings fast too, but from two ranges, and brought nothing new.
    let attackers = Array.from({ length: 56 }, (_, i) => peer(`evil${i}`, { netgroup: defaultNetGroup(`66.${i % 2}.0.${i}`), connectedAt: now - 1000 + i, minPingMs: 1 }));
    // Newcomers keep coming: each evicts someone, and a fresh attacker takes the slot.
    for (let round = 0; round < 500; round++) {
      const victim = selectEvictionCandidate([...honest, ...attackers]);
      expect(victim).toMatch(/^evil/);
      attackers = attackers.filter((a) => a.id !== victim);
      attackers.push(peer(`evil-new${round}`, { netgroup: defaultNetGroup(`66.${round % 2}.1.1`), connectedAt: now + round, minPingMs: 1 }));
    }
  });

  test('evicts the youngest of the most crowded group', () => {
    // A: six links, B and C one each (younger). The oldest half (a1-a4) is protected;
    // of a5, a6, c, b the crowded group A loses its youngest, not the youngest overall.
    const c = [
      ...[3, 1, 6, 2, 5, 4].map((t) => peer(`a${t}`, { netgroup: 'A', connectedAt: t })),
      peer('c', { netgroup: 'C', connectedAt: 8 }),
      peer('b', { netgroup: 'B', connectedAt: 9 }),
    ];
    // Peers that take the group and ping protections, so A, B and C compete for eviction.
    const filler = Array.from({ length: PROTECT_BY_GROUP + PROTECT_BY_PING }, (_, i) => peer(`f${i}`, { netgroup: `F${i}`, minPingMs: 1, connectedAt: 0 }));
    const keyed = [...c.map((x) => ({ ...x, keyedNetGroup: 0 })), ...filler.map((x, i) => ({ ...x, keyedNetGroup: 100 + i }))];
    expect(selectEvictionCandidate(keyed)).toBe('a6');
  });

  test('outbound and protected links are never chosen; all of them gives null', () => {
    expect(selectEvictionCandidate([peer('o', { isOutbound: true }), peer('p', { protected: true })])).toBeNull();
    expect(selectEvictionCandidate([])).toBeNull();
  });

  test('preferEvict (a negative score) goes first among the unprotected', () => {
    const c = Array.from({ length: 40 }, (_, i) => peer(`p${i}`, { netgroup: `G${i % 3}`, connectedAt: i }));
    c[30].preferEvict = true;
    expect(selectEvictionCandidate(c)).toBe('p30');
  });

  test('properties: a chosen peer is inbound and unprotected, and 17 or more such peers always give one', () => {
    const cand = fc.record({
      id: fc.uuid(),
      netgroup: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'),
      connectedAt: fc.integer({ min: 0, max: 1000 }),
      minPingMs: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 500 })),
      lastUsefulEventAt: fc.integer({ min: 0, max: 1000 }),
      isOutbound: fc.boolean(),
      protected: fc.boolean(),
      preferEvict: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(cand, { selector: (c) => c.id, maxLength: 120 }), (list) => {
        const id = selectEvictionCandidate(list);
        const eligible = list.filter((c) => !c.isOutbound && !c.protected);
        if (id === null) expect(eligible.length).toBeLessThan(PROTECT_BY_GROUP + PROTECT_BY_PING + PROTECT_BY_USEFUL + 1);
        else expect(eligible.map((c) => c.id)).toContain(id);
        // The same input in another order gives the same answer.
        expect(selectEvictionCandidate([...list].reverse())).toBe(id);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
