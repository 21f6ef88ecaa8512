import { GossipEvent, openSigned, signEvent as signWith, uuidV7Time } from '../../src/gossip/event';
import { GossipRouter, MAX_HOPS } from '../../src/gossip/router';
import { ManualClock } from '../../src/clock/manual-clock';
import { signEvent } from '../support/sign';
import { SeenSet } from '../../src/gossip/seen-set';
import { Identity } from '../../src/identity/identity';
import { ErrorCode, ProtocolError } from '../../src/wire/errors';
import { EventMsg } from '../../src/wire/messages';
import * as keys from '../../src/identity/keys';

const alice = Identity.generate();
const NOW = 1_700_000_000_000;

function setup(refuse?: (ev: GossipEvent) => string | null) {
  const delivered: Array<{ ev: GossipEvent; from: string | null }> = [];
  const sends: Array<{ except: string[] }> = [];
  const dropped: string[] = [];
  const clock = new ManualClock({ start: NOW });
  const router = new GossipRouter(new SeenSet(60_000, 1000, 30_000), {
    clock,
    broadcast: (_frame, except) => {
      sends.push({ except: [...except] });
      return 3;
    },
    dropped: (_ev, _from, code) => dropped.push(code),
  });
  const conflicts: GossipEvent[] = [];
  router.setApp({
    receive: (ev, from) => {
      const refusal = refuse?.(ev) ?? null;
      if (refusal === null) delivered.push({ ev, from });
      return refusal;
    },
    conflict: (ev) => {
      conflicts.push(ev);
      return null;
    },
  });
  return { router, delivered, sends, dropped, conflicts, setNow: (t: number) => clock.runUntil(t) };
}

const msg = (ev: GossipEvent, hops = 0): EventMsg => ({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops });

test('an event is delivered once and relayed once, never back to the sender or to its origin', () => {
  const { router, delivered, sends } = setup();
  const ev = signEvent(alice, 'test.x', { a: 1 }, NOW);
  expect(router.onEvent(msg(ev, 2), 'peerB')).toBe('delivered');
  expect(router.onEvent(msg(ev, 5), 'peerC')).toBe('duplicate');
  expect(delivered).toHaveLength(1);
  expect(delivered[0].ev).toMatchObject({ id: ev.id, origin: alice.nodeId, ts: NOW, kind: 'test.x', data: { a: 1 }, hops: 2 });
  expect(sends).toEqual([{ except: ['peerB', alice.nodeId] }]);
  expect(router.counts.relayedFrames).toBe(3);
});

test('the id is a UUIDv7 of the event time', () => {
  const ev = signEvent(alice, 'test.x', {}, NOW);
  expect(ev.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  expect(uuidV7Time(ev.id)).toBe(NOW);
});

test('duplicates are dropped before paying for a signature check', () => {
  const { router } = setup();
  const ev = signEvent(alice, 'test.x', {}, NOW);
  router.onEvent(msg(ev), 'b');
  const spy = jest.spyOn(keys, 'verifySignature');
  router.onEvent(msg(ev), 'c');
  expect(spy).not.toHaveBeenCalled();
  router.onEvent(msg(signEvent(alice, 'test.y', {}, NOW)), 'c');
  expect(spy).toHaveBeenCalledTimes(1); // the spy does see verifications
  spy.mockRestore();
});

test('a forged copy is refused (BAD_SIGNATURE) and does not poison the seen-set for the real one', () => {
  const { router, delivered } = setup();
  const ev = signEvent(alice, 'test.x', {}, NOW);
  const forged = { ...msg(ev), sig: Buffer.alloc(64, 9) };
  expect(() => router.onEvent(forged, 'mallory')).toThrow(ProtocolError);
  try {
    router.onEvent(forged, 'mallory');
  } catch (err) {
    expect((err as ProtocolError).code).toBe(ErrorCode.BAD_SIGNATURE);
  }
  expect(router.onEvent(msg(ev), 'b')).toBe('delivered');
  expect(delivered).toHaveLength(1);
});

test('a body whose bytes changed after signing fails verification (the exact bytes are signed)', () => {
  const { router } = setup();
  const ev = signEvent(alice, 'test.x', { amount: 1 }, NOW);
  const body = Buffer.from(ev.raw.body);
  body[body.length - 1] ^= 1; // amount 1 → 0
  expect(() => router.onEvent({ ...msg(ev), body }, 'b')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNATURE }));
});

test('events older than the window or from too far in the future are refused, not delivered, not relayed', () => {
  const { router, delivered, sends, dropped } = setup();
  expect(router.onEvent(msg(signEvent(alice, 'test.x', {}, NOW - 60_001)), 'b')).toBe('stale');
  expect(router.onEvent(msg(signEvent(alice, 'test.x', {}, NOW + 30_001)), 'b')).toBe('future');
  expect(delivered).toEqual([]);
  expect(sends).toEqual([]);
  expect(dropped).toEqual(['EVENT_TOO_OLD', 'EVENT_FROM_FUTURE']);
});

test('a replay after the id was forgotten is refused by age', async () => {
  const { router, setNow } = setup();
  const ev = signEvent(alice, 'test.x', {}, NOW);
  expect(router.onEvent(msg(ev), 'b')).toBe('delivered');
  await setNow(NOW + 10 * 60_000);
  expect(router.onEvent(msg(ev), 'b')).toBe('stale');
});

test('the app can refuse a verified event: dropped, counted, not relayed, and not re-verified', () => {
  const { router, delivered, sends, dropped } = setup((ev) => (ev.data.bad ? 'NOPE' : null));
  const ev = signEvent(alice, 'test.x', { bad: true }, NOW);
  expect(router.onEvent(msg(ev), 'b')).toBe('invalid');
  expect(router.onEvent(msg(ev), 'c')).toBe('duplicate');
  expect(delivered).toEqual([]);
  expect(sends).toEqual([]);
  expect(dropped).toEqual(['NOPE']);
  expect(router.counts.invalid).toBe(1);
});

test('publish remembers our own event, so its echo is a duplicate', () => {
  const { router, delivered } = setup();
  const ev = signEvent(alice, 'test.x', {}, NOW);
  expect(router.publish(ev)).toBe(3);
  expect(router.onEvent(msg(ev), 'b')).toBe('duplicate');
  expect(delivered).toEqual([]);
});

test('openSigned verifies and decodes embedded signed bytes; null for anything else', () => {
  const ev = signEvent(alice, 'order.add', { price: 5_000_000, amount: 10_000_000_000 }, NOW);
  expect(openSigned(ev.raw.body, ev.raw.sig)).toMatchObject({ id: ev.id, origin: alice.nodeId, data: ev.data });
  expect(openSigned(ev.raw.body, Buffer.alloc(64))).toBeNull();
  expect(openSigned(Buffer.from('c1', 'hex'), ev.raw.sig)).toBeNull();
});

test('signEvent refuses what plain MessagePack cannot carry', () => {
  expect(() => signEvent(alice, 'x', { d: new Date() }, NOW)).toThrow();
  expect(() => signEvent(alice, 'x', { n: 2 ** 60 }, NOW)).toThrow();
  expect(() => signEvent(alice, '', {}, NOW)).toThrow();
});

test('the id takes its random part from the bytes given: the same bytes, the same id', () => {
  const bytes = Buffer.alloc(16, 7);
  expect(signWith(alice, 'x', {}, NOW, bytes).id).toBe(signWith(alice, 'x', {}, NOW, bytes).id);
});

test('an event at MAX_HOPS is taken but not relayed further (above it, the frame schema refuses it)', () => {
  const { router, delivered, sends } = setup();
  const over = signEvent(alice, 'test.x', {}, NOW);
  expect(router.onEvent(msg(over, MAX_HOPS), 'b')).toBe('delivered');
  expect(delivered).toHaveLength(1);
  expect(sends).toEqual([]);
  expect(router.counts.tooManyHops).toBe(1);
  const below = signEvent(alice, 'test.y', {}, NOW);
  expect(router.onEvent(msg(below, MAX_HOPS - 1), 'b')).toBe('delivered');
  expect(sends).toHaveLength(1);
});

test('a second body under a handled id is a conflict: verified, given to the app once, relayed once; a copy of either is a duplicate', () => {
  const { router, delivered, sends, conflicts } = setup();
  const v1 = signWith(alice, 'test.x', { v: 1 }, NOW, Buffer.alloc(16, 1));
  const v2 = signWith(alice, 'test.x', { v: 2 }, NOW, Buffer.alloc(16, 1));
  expect(v2.id).toBe(v1.id);
  expect(router.onEvent(msg(v1), 'b')).toBe('delivered');
  expect(router.onEvent(msg(v2), 'c')).toBe('conflict');
  expect(conflicts.map((e) => e.data)).toEqual([{ v: 2 }]);
  expect(sends).toHaveLength(2); // v1 once, v2 once
  expect(router.onEvent(msg(v2), 'd')).toBe('duplicate');
  expect(router.onEvent(msg(v1), 'd')).toBe('duplicate');
  expect(delivered).toHaveLength(1);
  // A forged "second version" is the sender's fault, not the origin's.
  const forged = { ...msg(v2), body: Buffer.from(v2.raw.body).fill(0x61, 40, 41) };
  expect(() => router.onEvent(forged, 'e')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNATURE }));
});
