import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BUCKET_SIZE, NEW_BUCKET_COUNT, NEW_BUCKETS_PER_SOURCE_GROUP, TRIED_BUCKET_COUNT, TRIED_BUCKETS_PER_GROUP } from '../../src/peer/addr-tables';
import { AddrMan, ANCHOR_COUNT, NEW_MAX_FAILURES, UNVERIFIED_DIAL_RATE, type KnownPeer } from '../../src/peer/addrman';

/** mulberry32: a seeded random source, so every run builds the same tables. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BACKOFF = { baseMs: 1000, maxMs: 60_000 };
const none = () => false;
const id = (n: number) => n.toString(16).padStart(64, '0');

function man(seed = 1, secret = seed): AddrMan {
  return new AddrMan({ backoff: BACKOFF, random: seeded(seed), secret: Uint8Array.from({ length: 32 }, (_, i) => (secret * 31 + i) & 255) });
}

/** Dials select() would make now, until it gives nothing or `max` dials. */
function drain(m: AddrMan, now: number, max = 1000, groups: Set<string> = new Set()): KnownPeer[] {
  const out: KnownPeer[] = [];
  const taken = new Set<KnownPeer>();
  for (let i = 0; i < max; i++) {
    const p = m.select(now, (q) => taken.has(q), groups);
    if (p === null) break;
    taken.add(p);
    out.push(p);
  }
  return out;
}

describe('AddrMan: what AddressBook did', () => {
  test('learn, succeeded, failed with backoff, markSelf, verified, candidates', () => {
    const m = man();
    expect(m.learn('example.org', 1, null)).toBeNull();
    expect(m.learn('1.2.3.4', 0, null)).toBeNull();
    const p = m.learn('1.2.3.4', 5000, id(1), '9.9.9.9')!;
    expect(p).toMatchObject({ verified: false, id: id(1), table: 'new', group: 'ipv4:1.2', source: 'ipv4:9.9' });
    m.learn('1.2.3.4', 5000, id(2), '9.9.9.9');
    expect(m.get('1.2.3.4', 5000)?.id).toBe(id(2)); // a claim replaces a claim
    m.succeeded('1.2.3.4', 5000, id(3), 100);
    m.learn('1.2.3.4', 5000, id(4), '9.9.9.9');
    expect(m.get('1.2.3.4', 5000)).toMatchObject({ id: id(3), verified: true, table: 'tried', lastSeen: 100 });
    m.failed('1.2.3.4', 5000, 1000);
    const q = m.get('1.2.3.4', 5000)!;
    expect(q.failures).toBe(1);
    expect(q.nextAttemptAt).toBeGreaterThanOrEqual(1500);
    expect(m.candidates(1000, none)).toEqual([]);
    expect(m.candidates(q.nextAttemptAt, none)).toEqual([q]);
    m.learn('5.6.7.8', 1, null);
    m.markSelf('5.6.7.8', 1);
    expect(m.candidates(1e9, none).map((c) => c.host)).toEqual(['1.2.3.4']);
    expect(m.verified(10, none).map((c) => c.host)).toEqual(['1.2.3.4']);
    expect(m.nextAttemptAt(none)).toBe(q.nextAttemptAt);
  });

  test('save and load: verified rows and anchors; old AddressBook files load too; junk is skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrman-'));
    try {
      const file = join(dir, 'peers.json');
      const a = man();
      for (let i = 1; i <= 5; i++) a.succeeded(`${i}.1.1.1`, 3000, id(i), i * 10);
      a.learn('7.7.7.7', 1, id(7), '8.8.8.8'); // unverified: not saved
      a.setAnchors([{ host: '4.1.1.1', port: 3000 }, { host: '2.1.1.1', port: 3000 }, { host: '1.1.1.1', port: 3000 }]);
      a.save(file);
      const rows = JSON.parse(readFileSync(file, 'utf8')) as Array<{ host: string; anchor?: boolean }>;
      expect(rows).toHaveLength(5);
      expect(rows.filter((r) => r.anchor).map((r) => r.host).sort()).toEqual(['2.1.1.1', '4.1.1.1']);
      const b = man(2);
      b.load(file);
      expect(b.verified(10, none).map((p) => p.host)).toEqual(['5.1.1.1', '4.1.1.1', '3.1.1.1', '2.1.1.1', '1.1.1.1']);
      expect(b.anchors().map((p) => p.host).sort()).toEqual(['2.1.1.1', '4.1.1.1']);
      expect(ANCHOR_COUNT).toBe(2);

      writeFileSync(file, JSON.stringify([{ host: '9.1.1.1', port: 1, id: id(9), lastSeen: 5 }, { host: 5 }, null, { host: '9.2.2.2', port: 1, id: 'nothex' }]));
      const c = man(3);
      c.load(file);
      expect(c.all().map((p) => [p.host, p.verified, p.table])).toEqual([['9.1.1.1', true, 'tried']]);
      writeFileSync(file, '{not json');
      const d = man(4);
      d.load(file);
      d.load(join(dir, 'missing.json'));
      expect(d.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AddrMan: eclipse resistance', () => {
  test('1,600 bogus addresses from one source fill at most its share of "new"; other sources still get in', () => {
    const m = man();
    let kept = 0;
    for (let msg = 0; msg < 50; msg++) {
      for (let i = 0; i < 32; i++) if (m.learn(`${10 + (i % 200)}.${msg}.${i}.1`, 4000 + i, null, '66.6.6.6') !== null) kept++;
    }
    expect(m.size).toBeLessThanOrEqual(NEW_BUCKETS_PER_SOURCE_GROUP * BUCKET_SIZE);
    expect(m.size).toBe(kept);
    // A peer in another group telling us of honest nodes: all of them are kept.
    for (let i = 0; i < 10; i++) expect(m.learn(`20.${i}.0.1`, 3000, null, '30.3.3.3')).not.toBeNull();
  });

  test('dials to unverified addresses are rate limited: a burst, then one per period', () => {
    const m = man();
    for (let i = 0; i < 100; i++) m.learn(`${20 + i}.1.1.1`, 3000, null, `${40 + (i % 50)}.2.2.2`);
    const first = drain(m, 0);
    expect(first).toHaveLength(UNVERIFIED_DIAL_RATE.burst);
    const skip = new Set(first);
    expect(m.select(0, (p) => skip.has(p))).toBeNull();
    const next = m.nextAttemptAt((p) => skip.has(p), 0)!;
    expect(next).toBe(UNVERIFIED_DIAL_RATE.perMs);
    expect(m.select(next - 1, (p) => skip.has(p))).toBeNull();
    expect(m.select(next, (p) => skip.has(p))).not.toBeNull();
    // 1,600 closed ports: in a minute at most burst + 60 s / period dials, not 48,000.
    const m2 = man(5);
    for (let i = 0; i < 1600; i++) m2.learn(`${1 + (i % 200)}.${i >> 8}.${i & 255}.1`, 9, null, `${i % 250}.0.0.1`);
    let dials = 0;
    for (let t = 0; t <= 60_000; t += 10) {
      const p = m2.select(t, none);
      if (p) {
        dials++;
        m2.failed(p.host, p.port, t);
      }
    }
    expect(dials).toBeLessThanOrEqual(UNVERIFIED_DIAL_RATE.burst + 60_000 / UNVERIFIED_DIAL_RATE.perMs);
  });

  test('verified addresses in unconnected groups come first; an honest link that blipped is redialled before fresh attacker addresses', () => {
    const m = man();
    m.succeeded('20.1.1.1', 3000, id(1), 10); // the honest peer
    for (let i = 0; i < 8; i++) m.succeeded(`66.${i}.0.1`, 3000, id(100 + i), 20); // attacker listeners, real handshakes
    for (let i = 0; i < 300; i++) m.learn(`77.${i % 200}.1.${i >> 8}`, 3000, null, `66.${i % 8}.0.1`); // fresh attacker addresses
    // All eight attacker links are up, in their eight groups; the honest link blips.
    const attackerGroups = new Set(Array.from({ length: 8 }, (_, i) => `ipv4:66.${i}`));
    m.failed('20.1.1.1', 3000, 1000);
    const back = m.get('20.1.1.1', 3000)!.nextAttemptAt;
    const connected = (p: KnownPeer) => p.host.startsWith('66.'); // the manager skips live links
    // While it backs off a fresh address may be tried, but once it is due, it is first.
    expect(m.select(back, connected, attackerGroups)?.host).toBe('20.1.1.1');
    // Before AddrMan, fresh addresses (no failures) sorted before it for ever.
    expect(m.select(back - 1, connected, attackerGroups)?.host).toMatch(/^77\./);
  });

  test('outbound dials spread over network groups', () => {
    const m = man();
    for (let g = 0; g < 4; g++) for (let i = 0; i < 5; i++) m.succeeded(`${50 + g}.0.${i}.1`, 3000, id(g * 10 + i), 5);
    const groups = new Set<string>();
    const first: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = m.select(0, (q) => groups.has(q.group), groups)!;
      first.push(p.group);
      groups.add(p.group);
    }
    expect(new Set(first).size).toBe(4);
  });

  test('anchors are dialled first, and only until their first attempt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrman-'));
    try {
      const file = join(dir, 'peers.json');
      const a = man();
      for (let i = 1; i <= 6; i++) a.succeeded(`${i}.1.1.1`, 3000, id(i), 100 + i);
      a.setAnchors([{ host: '1.1.1.1', port: 3000 }, { host: '2.1.1.1', port: 3000 }]);
      a.save(file);
      const b = man(9);
      b.load(file);
      // Six verified addresses, but the two anchors come first, whatever the random picks.
      const first = b.select(0, none)!;
      const second = b.select(0, (p) => p === first)!;
      expect([first.host, second.host].sort()).toEqual(['1.1.1.1', '2.1.1.1']);
      b.failed('1.1.1.1', 3000, 0);
      b.succeeded('2.1.1.1', 3000, id(2), 0);
      expect(b.anchors()).toEqual([]);
      expect(b.candidates(0, none)[0].host).not.toBe('1.1.1.1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a feeler tests an unverified address and spends the unverified rate; success moves it to tried', () => {
    const m = man();
    m.succeeded('20.1.1.1', 3000, id(1), 10);
    expect(m.feeler(0, none)).toBeNull();
    m.learn('30.1.1.1', 3000, null, '40.1.1.1');
    const f = m.feeler(0, none)!;
    expect(f.host).toBe('30.1.1.1');
    m.succeeded(f.host, f.port, id(2), 5);
    expect(m.get('30.1.1.1', 3000)?.table).toBe('tried');
    const r = new AddrMan({ backoff: BACKOFF, random: seeded(1), unverifiedDialRate: { tokens: 1, perMs: 1000, burst: 1 } });
    r.learn('31.1.1.1', 1, null, '41.1.1.1');
    expect(r.feeler(0, none)).not.toBeNull();
    expect(r.feeler(0, none)).toBeNull();
  });

  test('an address peers told us of is forgotten after repeated failures; the operator\'s is kept', () => {
    const m = man();
    m.learn('30.1.1.1', 1, null, '40.1.1.1');
    m.learn('31.1.1.1', 1, null); // config / connect
    for (let i = 0; i < NEW_MAX_FAILURES; i++) {
      m.failed('30.1.1.1', 1, i);
      m.failed('31.1.1.1', 1, i);
    }
    expect(m.get('30.1.1.1', 1)).toBeUndefined();
    expect(m.get('31.1.1.1', 1)?.failures).toBe(NEW_MAX_FAILURES);
  });

  test('the bucket an address lands in depends on the node secret', () => {
    const kept = (secret: number) => {
      const m = man(1, secret);
      for (let i = 0; i < 600; i++) m.learn(`${10 + (i % 200)}.${i >> 8}.${i & 255}.1`, 1, null, '66.6.6.6');
      return new Set(m.all().map((p) => p.host));
    };
    const a = kept(1);
    const b = kept(2);
    const both = [...a].filter((h) => b.has(h)).length;
    expect(both).toBeLessThan(a.size);
  });

  test('one group holds at most its tried buckets; a newly verified address bumps an older one back to "new"', () => {
    const m = man();
    for (let i = 0; i < 200; i++) {
      m.succeeded(`66.6.${i}.1`, 3000, id(i), i);
      expect(m.get(`66.6.${i}.1`, 3000)?.table).toBe('tried');
    }
    const tried = m.all().filter((p) => p.table === 'tried');
    // At most 4 buckets (two picks may hash to one bucket), each full.
    expect(tried.length).toBeLessThanOrEqual(TRIED_BUCKETS_PER_GROUP * BUCKET_SIZE);
    expect(tried.length % BUCKET_SIZE).toBe(0);
    // The bumped ones went back to "new" under their own group (or were forgotten when full).
    expect(m.all().filter((p) => p.table === 'new').every((p) => p.verified && p.source === 'ipv4:66.6')).toBe(true);
    // An honest address in another group still gets a tried slot.
    m.succeeded('20.1.1.1', 3000, id(999), 1000);
    expect(m.get('20.1.1.1', 3000)?.table).toBe('tried');
  });

  test('tables stay bounded whatever is learned and verified', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 3000 }), (ops) => {
        const m = man(7);
        let n = 0;
        for (const [verify, a, b, src] of ops) {
          const host = `${a % 4}.${b}.${n++ & 255}.1`;
          if (verify) m.succeeded(host, 1, id(n), n);
          else m.learn(host, 1, null, `${src}.0.0.1`);
        }
        expect(m.size).toBeLessThanOrEqual((NEW_BUCKET_COUNT + TRIED_BUCKET_COUNT) * BUCKET_SIZE);
        const tried = m.all().filter((p) => p.table === 'tried');
        // Only 4 groups of addresses: at most TRIED_BUCKETS_PER_GROUP buckets each.
        expect(tried.length).toBeLessThanOrEqual(4 * TRIED_BUCKETS_PER_GROUP * BUCKET_SIZE);
      }),
      { seed: 3, numRuns: 30 },
    );
  });
});
